import React from 'react';
import { Alert, Field, Input, RadioButtonGroup, SecretInput, Stack, TagsInput } from '@grafana/ui';

import { KeyValueEditor } from '../common/KeyValueEditor';
import { Section } from '../common/Section';
import { AuthSettings, AuthType, SecureKey } from '../../types/settings';
import { ConfigApi } from './configApi';
import { useFieldError } from './health';

const AUTH_TYPES: Array<{ label: string; value: AuthType; description: string }> = [
  { label: 'None', value: 'none', description: 'No credentials' },
  { label: 'Basic', value: 'basic', description: 'User name and password' },
  { label: 'Bearer token', value: 'bearer', description: 'Authorization: Bearer <token>' },
  { label: 'API key', value: 'apiKey', description: 'A key in a header or query parameter' },
  { label: 'OAuth2', value: 'oauth2', description: 'Client credentials grant' },
  { label: 'Forward OAuth', value: 'forwardOAuth', description: "The Grafana user's OAuth token" },
];

/** Secrets each auth type uses; switching type resets the ones no longer used. */
const SECRETS: Record<AuthType, SecureKey[]> = {
  none: [],
  basic: ['basicAuthPassword'],
  bearer: ['bearerToken'],
  apiKey: ['apiKeyValue'],
  oauth2: ['oauth2ClientSecret'],
  forwardOAuth: [],
};

export function AuthSection({ cfg }: { cfg: ConfigApi }) {
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
      title="Authentication"
      description="How Relay authenticates to the upstream. Credentials are injected server side and never reach the browser."
    >
      <Field label="Type" invalid={!!typeError} error={typeError}>
        <RadioButtonGroup<AuthType> aria-label="Auth type" options={AUTH_TYPES} value={type} onChange={setType} />
      </Field>
      {type === 'basic' && (
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
