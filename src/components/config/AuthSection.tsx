import React from 'react';
import { Alert, Field, Input, RadioButtonGroup, SecretInput, Stack, TagsInput } from '@grafana/ui';

import { KeyValueEditor } from '../common/KeyValueEditor';
import { Section } from '../common/Section';
import { AUTH_KINDS } from '../../api/settings.gen';
import { AuthSettings, AuthType, SecureKey, TokenFormat } from '../../types/settings';
import { ConfigApi } from './configApi';
import { useFieldError } from './health';

/** Label and description of every auth kind: a kind the backend adds (settings.gen.ts) fails the build until it has one. */
const AUTH_LABELS: Record<AuthType, { label: string; description: string }> = {
  none: { label: 'None', description: 'No credentials' },
  basic: { label: 'Basic', description: 'User name and password' },
  bearer: { label: 'Bearer token', description: 'Authorization: Bearer <token>' },
  apiKey: { label: 'API key', description: 'A key in a header or query parameter' },
  oauth2: { label: 'OAuth2', description: 'Client credentials grant' },
  forwardOAuth: { label: 'Forward OAuth', description: "The Grafana user's OAuth token" },
  sigv4: { label: 'AWS SigV4', description: 'AWS Signature Version 4' },
  digest: { label: 'Digest', description: 'HTTP Digest (RFC 7616)' },
  jwt: { label: 'JWT bearer', description: 'OAuth2 JWT bearer grant, Google service accounts' },
  azure: { label: 'Azure', description: 'Microsoft Entra ID' },
};

const AUTH_TYPES = AUTH_KINDS.map((value) => ({ value, ...AUTH_LABELS[value] }));

/** Secrets each auth type uses; switching type resets the ones no longer used. */
const SECRETS: Record<AuthType, SecureKey[]> = {
  none: [],
  basic: ['basicAuthPassword'],
  bearer: ['bearerToken'],
  apiKey: ['apiKeyValue'],
  oauth2: ['oauth2ClientSecret'],
  forwardOAuth: [],
  sigv4: ['sigV4AccessKey', 'sigV4SecretKey', 'sigV4SessionToken'],
  digest: ['basicAuthPassword'],
  jwt: ['jwtPrivateKey', 'googleServiceAccountJSON'],
  azure: ['azureClientSecret'],
};

export function AuthSection({ cfg, title = 'Authentication' }: { cfg: ConfigApi; title?: string }) {
  const auth = cfg.jsonData.auth ?? {};
  const type: AuthType = auth.type ?? (cfg.jsonData.oauthPassThru ? 'forwardOAuth' : 'none');
  const typeError = useFieldError('jsonData.auth.type');

  const setType = (t: AuthType) => {
    const stale: Partial<Record<SecureKey, null>> = {};
    for (const k of SECRETS[type]) {
      if (!SECRETS[t].includes(k)) {
        stale[k] = null;
      }
    }
    cfg.secure.batch(stale, (jd) => {
      jd.auth = { ...(jd.auth ?? {}), type: t };
      // Grafana forwards the user's token only when oauthPassThru is set.
      jd.oauthPassThru = t === 'forwardOAuth' ? true : undefined;
      if (!jd.oauthPassThru) {
        delete jd.oauthPassThru;
      }
    });
  };
  const setAuth = (fn: (a: AuthSettings) => void) => cfg.update((jd) => fn((jd.auth = jd.auth ?? { type })));

  return (
    <Section
      title={title}
      description="How Relay authenticates to the upstream. Credentials are injected server side and never reach the browser."
    >
      <Field label="Type" invalid={!!typeError} error={typeError}>
        <RadioButtonGroup<AuthType> aria-label="Auth type" options={AUTH_TYPES} value={type} onChange={setType} />
      </Field>
      {(type === 'basic' || type === 'digest') && (
        <Stack direction="row" gap={2} wrap="wrap">
          <TextField
            cfg={cfg}
            path="jsonData.auth.basicUser"
            label="User"
            value={auth.basicUser}
            onChange={(v) => setAuth((a) => (a.basicUser = v))}
          />
          <SecretField cfg={cfg} secretKey="basicAuthPassword" label="Password" />
        </Stack>
      )}
      {type === 'bearer' && <SecretField cfg={cfg} secretKey="bearerToken" label="Token" />}
      {type === 'apiKey' && (
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-start">
          <Field label="Send in">
            <RadioButtonGroup<'header' | 'query'>
              aria-label="API key location"
              options={[
                { label: 'Header', value: 'header' },
                { label: 'Query parameter', value: 'query' },
              ]}
              value={auth.apiKeyIn ?? 'header'}
              onChange={(v) => setAuth((a) => (a.apiKeyIn = v))}
            />
          </Field>
          <TextField
            cfg={cfg}
            path="jsonData.auth.apiKeyName"
            label={auth.apiKeyIn === 'query' ? 'Parameter name' : 'Header name'}
            placeholder="X-API-Key"
            value={auth.apiKeyName}
            onChange={(v) => setAuth((a) => (a.apiKeyName = v || undefined))}
          />
          <SecretField cfg={cfg} secretKey="apiKeyValue" label="Key" />
        </Stack>
      )}
      {type === 'oauth2' && <OAuth2Fields cfg={cfg} auth={auth} setAuth={setAuth} />}
      {type === 'sigv4' && <SigV4Fields cfg={cfg} auth={auth} setAuth={setAuth} />}
      {type === 'jwt' && <JWTFields cfg={cfg} auth={auth} setAuth={setAuth} />}
      {type === 'azure' && <AzureFields cfg={cfg} auth={auth} setAuth={setAuth} />}
      {type === 'forwardOAuth' && (
        <Alert severity="info" title="Forwarding the user's OAuth token">
          Grafana forwards the signed-in user&apos;s OAuth access token (and ID token) to Relay, which sends it
          upstream. This works only for users who signed in to Grafana with OAuth, and not for alerting or other
          background queries.
        </Alert>
      )}
    </Section>
  );
}

function OAuth2Fields({
  cfg,
  auth,
  setAuth,
}: {
  cfg: ConfigApi;
  auth: AuthSettings;
  setAuth: (fn: (a: AuthSettings) => void) => void;
}) {
  const o = auth.oauth2 ?? {};
  const setO = (fn: (o: NonNullable<AuthSettings['oauth2']>) => void) =>
    setAuth((a) => fn((a.oauth2 = a.oauth2 ?? {})));
  return (
    <Stack direction="column" gap={0}>
      <Stack direction="row" gap={2} wrap="wrap">
        <TextField
          cfg={cfg}
          path="jsonData.auth.oauth2.tokenUrl"
          label="Token URL"
          width={50}
          placeholder="https://auth.example.com/oauth/token"
          value={o.tokenUrl}
          onChange={(v) => setO((x) => (x.tokenUrl = v))}
        />
        <TextField
          cfg={cfg}
          path="jsonData.auth.oauth2.clientId"
          label="Client ID"
          value={o.clientId}
          onChange={(v) => setO((x) => (x.clientId = v))}
        />
        <SecretField cfg={cfg} secretKey="oauth2ClientSecret" label="Client secret" />
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field label="Scopes">
          <TagsInput
            placeholder="Add scope"
            tags={o.scopes ?? []}
            addOnBlur
            onChange={(tags) => setO((x) => (tags.length ? (x.scopes = tags) : delete x.scopes))}
          />
        </Field>
        <Field label="Send client credentials in" description="Some servers want them in the form body.">
          <RadioButtonGroup<'header' | 'params'>
            aria-label="OAuth2 auth style"
            options={[
              { label: 'Basic auth header', value: 'header' },
              { label: 'Form parameters', value: 'params' },
            ]}
            value={o.authStyle ?? 'header'}
            onChange={(v) => setO((x) => (x.authStyle = v))}
          />
        </Field>
      </Stack>
      <TokenFormatFields cfg={cfg} path="jsonData.auth.oauth2" value={o} onChange={(fn) => setO(fn)} />
      <Field label="Extra token request parameters" description="E.g. audience or resource.">
        <KeyValueEditor
          name="token parameter"
          value={o.endpointParams}
          onChange={(m) => setO((x) => (Object.keys(m).length ? (x.endpointParams = m) : delete x.endpointParams))}
        />
      </Field>
    </Stack>
  );
}

type SetAuth = (fn: (a: AuthSettings) => void) => void;

function TokenFormatFields({
  cfg,
  path,
  value,
  onChange,
}: {
  cfg: ConfigApi;
  path: string;
  value: TokenFormat;
  onChange: (fn: (t: TokenFormat) => void) => void;
}) {
  return (
    <Stack direction="row" gap={2} wrap="wrap">
      <TextField
        cfg={cfg}
        path={`${path}.tokenHeader`}
        label="Token header"
        placeholder="Authorization"
        value={value.tokenHeader}
        onChange={(v) => onChange((t) => (v ? (t.tokenHeader = v) : delete t.tokenHeader))}
      />
      <TextField
        cfg={cfg}
        path={`${path}.tokenFormat`}
        label="Token format"
        placeholder="Bearer {{token}}"
        value={value.tokenFormat}
        onChange={(v) => onChange((t) => (v ? (t.tokenFormat = v) : delete t.tokenFormat))}
      />
    </Stack>
  );
}

function SigV4Fields({ cfg, auth, setAuth }: { cfg: ConfigApi; auth: AuthSettings; setAuth: SetAuth }) {
  const v = auth.sigv4 ?? {};
  const setV = (fn: (x: NonNullable<AuthSettings['sigv4']>) => void) => setAuth((a) => fn((a.sigv4 = a.sigv4 ?? {})));
  const text = (key: 'region' | 'service' | 'assumeRoleArn' | 'externalId', label: string, placeholder?: string) => (
    <TextField
      cfg={cfg}
      path={`jsonData.auth.sigv4.${key}`}
      label={label}
      placeholder={placeholder}
      value={v[key]}
      onChange={(s) => setV((x) => (s ? (x[key] = s) : delete x[key]))}
    />
  );
  return (
    <Stack direction="column" gap={0}>
      <Stack direction="row" gap={2} wrap="wrap">
        {text('region', 'Region', 'eu-west-1')}
        {text('service', 'Service', 'execute-api')}
        <Field label="Credentials" description="The default chain works only if Grafana allows it ([aws]).">
          <RadioButtonGroup<'keys' | 'default'>
            aria-label="SigV4 credentials"
            options={[
              { label: 'Access keys', value: 'keys' },
              { label: 'AWS default chain', value: 'default' },
            ]}
            value={v.authMode ?? 'keys'}
            onChange={(m) => setV((x) => (m === 'keys' ? delete x.authMode : (x.authMode = m)))}
          />
        </Field>
      </Stack>
      {(v.authMode ?? 'keys') === 'keys' && (
        <Stack direction="row" gap={2} wrap="wrap">
          <SecretField cfg={cfg} secretKey="sigV4AccessKey" label="Access key ID" />
          <SecretField cfg={cfg} secretKey="sigV4SecretKey" label="Secret access key" />
          <SecretField cfg={cfg} secretKey="sigV4SessionToken" label="Session token" description="Optional" />
        </Stack>
      )}
      <Stack direction="row" gap={2} wrap="wrap">
        {text('assumeRoleArn', 'Assume role ARN', 'arn:aws:iam::123456789012:role/grafana')}
        {text('externalId', 'External ID')}
      </Stack>
    </Stack>
  );
}

function JWTFields({ cfg, auth, setAuth }: { cfg: ConfigApi; auth: AuthSettings; setAuth: SetAuth }) {
  const j = auth.jwt ?? {};
  const setJ = (fn: (x: NonNullable<AuthSettings['jwt']>) => void) => setAuth((a) => fn((a.jwt = a.jwt ?? {})));
  const text = (key: 'tokenUrl' | 'email' | 'subject' | 'audience', label: string, placeholder?: string) => (
    <TextField
      cfg={cfg}
      path={`jsonData.auth.jwt.${key}`}
      label={label}
      placeholder={placeholder}
      value={j[key]}
      onChange={(s) => setJ((x) => (s ? (x[key] = s) : delete x[key]))}
    />
  );
  return (
    <Stack direction="column" gap={0}>
      <Stack direction="row" gap={2} wrap="wrap">
        {text('tokenUrl', 'Token URL', 'from the key file')}
        {text('email', 'Issuer (email)', 'from the key file')}
        {text('subject', 'Subject')}
        {text('audience', 'Audience')}
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap">
        <SecretField cfg={cfg} secretKey="jwtPrivateKey" label="Private key (PEM)" />
        <SecretField cfg={cfg} secretKey="googleServiceAccountJSON" label="Google service-account key file" />
        <Field label="Scopes">
          <TagsInput
            placeholder="Add scope"
            tags={j.scopes ?? []}
            addOnBlur
            onChange={(tags) => setJ((x) => (tags.length ? (x.scopes = tags) : delete x.scopes))}
          />
        </Field>
      </Stack>
      <TokenFormatFields cfg={cfg} path="jsonData.auth.jwt" value={j} onChange={(fn) => setJ(fn)} />
    </Stack>
  );
}

function AzureFields({ cfg, auth, setAuth }: { cfg: ConfigApi; auth: AuthSettings; setAuth: SetAuth }) {
  const z = auth.azure ?? {};
  const setZ = (fn: (x: NonNullable<AuthSettings['azure']>) => void) => setAuth((a) => fn((a.azure = a.azure ?? {})));
  const mode = z.mode ?? 'clientSecret';
  return (
    <Stack direction="column" gap={0}>
      <Field label="Credentials">
        <RadioButtonGroup<'clientSecret' | 'managedIdentity'>
          aria-label="Azure credentials"
          options={[
            { label: 'Client secret', value: 'clientSecret' },
            { label: 'Managed identity', value: 'managedIdentity' },
          ]}
          value={mode}
          onChange={(m) => setZ((x) => (x.mode = m))}
        />
      </Field>
      <Stack direction="row" gap={2} wrap="wrap">
        {mode === 'clientSecret' && (
          <TextField
            cfg={cfg}
            path="jsonData.auth.azure.tenantId"
            label="Tenant ID"
            value={z.tenantId}
            onChange={(s) => setZ((x) => (s ? (x.tenantId = s) : delete x.tenantId))}
          />
        )}
        <TextField
          cfg={cfg}
          path="jsonData.auth.azure.clientId"
          label="Client ID"
          value={z.clientId}
          onChange={(s) => setZ((x) => (s ? (x.clientId = s) : delete x.clientId))}
        />
        {mode === 'clientSecret' && <SecretField cfg={cfg} secretKey="azureClientSecret" label="Client secret" />}
        <Field label="Scopes" description="E.g. api://<app-id>/.default">
          <TagsInput
            placeholder="Add scope"
            tags={z.scopes ?? []}
            addOnBlur
            onChange={(tags) => setZ((x) => (tags.length ? (x.scopes = tags) : delete x.scopes))}
          />
        </Field>
      </Stack>
    </Stack>
  );
}

function TextField(props: {
  cfg: ConfigApi;
  path: string;
  label: string;
  value?: string;
  placeholder?: string;
  width?: number;
  onChange: (v: string) => void;
}) {
  const error = useFieldError(props.path);
  return (
    <Field label={props.label} invalid={!!error} error={error}>
      <Input
        aria-label={props.label}
        value={props.value ?? ''}
        placeholder={props.placeholder}
        width={props.width ?? 30}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

/** A write-only secret with Grafana's "configured / Reset" behaviour. */
export function SecretField({
  cfg,
  secretKey,
  label,
  description,
}: {
  cfg: ConfigApi;
  secretKey: SecureKey;
  label: string;
  description?: string;
}) {
  const error = useFieldError(`secureJsonData.${secretKey}`);
  return (
    <Field label={label} description={description} invalid={!!error} error={error}>
      <SecretInput
        aria-label={label}
        width={30}
        isConfigured={cfg.secure.isConfigured(secretKey)}
        value={cfg.secure.value(secretKey)}
        onChange={(e) => cfg.secure.set(secretKey, e.currentTarget.value)}
        onReset={() => cfg.secure.reset(secretKey)}
      />
    </Field>
  );
}
