import React from 'react';
import { Field, Input, RadioButtonGroup, SecretInput, Stack } from '@grafana/ui';

import { KeyValueEditor } from '../common/KeyValueEditor';
import { AuthSettings, LoginSettings, SecureKey } from '../../types/settings';
import { ConfigApi } from './configApi';
import { useFieldError } from './health';

type SetAuth = (fn: (a: AuthSettings) => void) => void;
type TokenFrom = 'tokenPath' | 'tokenHeader' | 'tokenCookie';

/** The body a new login starts with: the usual user/password pair, the password a secret. */
export const DEFAULT_LOGIN: LoginSettings = {
  path: '/login',
  body: { username: '', password: '{{secure.password}}' },
  tokenPath: 'token',
};

const SECURE_REF = /\{\{\s*secure\.([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The secrets a login body names as {{secure.<key>}}, each once: each gets a secret field (secureJsonData login.<key>). */
export function loginSecretKeys(login: LoginSettings): string[] {
  const keys = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(SECURE_REF)) {
        keys.add(m[1]);
      }
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(login.body);
  walk(login.headers);
  return [...keys].sort();
}

function flatStrings(body: unknown): Record<string, string> | undefined {
  if (body === undefined) {
    return {};
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return undefined;
  }
  const entries = Object.entries(body as Record<string, unknown>);
  return entries.every(([, v]) => typeof v === 'string') ? (body as Record<string, string>) : undefined;
}

/** Login auth: the login call, where its answer has the token, and how the token is sent. */
export function LoginFields({ cfg, auth, setAuth }: { cfg: ConfigApi; auth: AuthSettings; setAuth: SetAuth }) {
  const l = auth.login ?? {};
  const setL = (fn: (x: LoginSettings) => void) => setAuth((a) => fn((a.login = a.login ?? {})));
  const from: TokenFrom =
    l.tokenHeader !== undefined ? 'tokenHeader' : l.tokenCookie !== undefined ? 'tokenCookie' : 'tokenPath';
  const body = flatStrings(l.body);
  const sendAs = auth.tokenCookie !== undefined ? 'cookie' : 'header';
  return (
    <Stack direction="column" gap={0}>
      <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-start">
        <Field label="Method">
          <RadioButtonGroup<string>
            aria-label="Login method"
            options={['POST', 'PUT', 'GET'].map((m) => ({ label: m, value: m }))}
            value={l.method ?? 'POST'}
            onChange={(m) => setL((x) => (m === 'POST' ? delete x.method : (x.method = m)))}
          />
        </Field>
        <Text
          path="jsonData.auth.login.path"
          label="Login path"
          description="Below the upstream URL, or a URL on an allowed host"
          placeholder="/login"
          value={l.path}
          onChange={(v) => setL((x) => (x.path = v))}
        />
        <Field label="Body as">
          <RadioButtonGroup<'json' | 'form'>
            aria-label="Login content type"
            options={[
              { label: 'JSON', value: 'json' },
              { label: 'Form', value: 'form' },
            ]}
            value={l.contentType ?? 'json'}
            onChange={(v) => setL((x) => (v === 'json' ? delete x.contentType : (x.contentType = v)))}
          />
        </Field>
      </Stack>
      <Field
        label="Body fields"
        description="Write {{secure.password}} (any name) for a secret: its value is entered below and stored encrypted."
      >
        {body ? (
          <KeyValueEditor
            name="login field"
            value={body}
            onChange={(m) => setL((x) => (Object.keys(m).length ? (x.body = m) : delete x.body))}
          />
        ) : (
          <span>The body is set in provisioning (nested JSON); edit it there.</span>
        )}
      </Field>
      <Stack direction="row" gap={2} wrap="wrap">
        {loginSecretKeys(l).map((k) => (
          <LoginSecret key={k} cfg={cfg} secretKey={`login.${k}` as SecureKey} label={`Secret ${k}`} />
        ))}
      </Stack>
      <Field label="Login headers">
        <KeyValueEditor
          name="login header"
          value={l.headers}
          onChange={(m) => setL((x) => (Object.keys(m).length ? (x.headers = m) : delete x.headers))}
        />
      </Field>
      <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-start">
        <Field label="Token is in">
          <RadioButtonGroup<TokenFrom>
            aria-label="Token location"
            options={[
              { label: 'JSON answer', value: 'tokenPath' },
              { label: 'Response header', value: 'tokenHeader' },
              { label: 'Set-Cookie', value: 'tokenCookie' },
            ]}
            value={from}
            onChange={(v) =>
              setL((x) => {
                const current = x[from] ?? '';
                delete x.tokenPath;
                delete x.tokenHeader;
                delete x.tokenCookie;
                x[v] = current;
              })
            }
          />
        </Field>
        <Text
          path={`jsonData.auth.login.${from}`}
          label={from === 'tokenPath' ? 'Token path' : from === 'tokenHeader' ? 'Answer header' : 'Answer cookie'}
          placeholder={from === 'tokenPath' ? 'auth.token' : from === 'tokenHeader' ? 'X-Subject-Token' : 'session'}
          value={l[from]}
          onChange={(v) => setL((x) => (x[from] = v))}
        />
        <Text
          path="jsonData.auth.login.expiresInPath"
          label="Lifetime path"
          description="Seconds, in the answer"
          placeholder="expires_in"
          value={l.expiresInPath}
          onChange={(v) => setL((x) => (v ? (x.expiresInPath = v) : delete x.expiresInPath))}
        />
        <Text
          path="jsonData.auth.login.expiresIn"
          label="Lifetime"
          description="When the answer has none"
          placeholder="10m"
          value={l.expiresIn}
          onChange={(v) => setL((x) => (v ? (x.expiresIn = v) : delete x.expiresIn))}
        />
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-start">
        <Field label="Send the token as">
          <RadioButtonGroup<'header' | 'cookie'>
            aria-label="Send token as"
            options={[
              { label: 'Header', value: 'header' },
              { label: 'Cookie', value: 'cookie' },
            ]}
            value={sendAs}
            onChange={(v) =>
              setAuth((a) => {
                delete a.tokenHeader;
                delete a.tokenFormat;
                delete a.tokenCookie;
                if (v === 'cookie') {
                  a.tokenCookie = 'session';
                }
              })
            }
          />
        </Field>
        {sendAs === 'header' ? (
          <>
            <Text
              path="jsonData.auth.tokenHeader"
              label="Token header"
              placeholder="Authorization"
              value={auth.tokenHeader}
              onChange={(v) => setAuth((a) => (v ? (a.tokenHeader = v) : delete a.tokenHeader))}
            />
            <Text
              path="jsonData.auth.tokenFormat"
              label="Token format"
              placeholder="Bearer {{token}}"
              value={auth.tokenFormat}
              onChange={(v) => setAuth((a) => (v ? (a.tokenFormat = v) : delete a.tokenFormat))}
            />
          </>
        ) : (
          <Text
            path="jsonData.auth.tokenCookie"
            label="Cookie name"
            placeholder="session"
            value={auth.tokenCookie}
            onChange={(v) => setAuth((a) => (a.tokenCookie = v))}
          />
        )}
      </Stack>
    </Stack>
  );
}

function Text(props: {
  path: string;
  label: string;
  description?: string;
  value?: string;
  placeholder?: string;
  onChange: (v: string) => void;
}) {
  const error = useFieldError(props.path);
  return (
    <Field label={props.label} description={props.description} invalid={!!error} error={error}>
      <Input
        aria-label={props.label}
        value={props.value ?? ''}
        placeholder={props.placeholder}
        width={24}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

function LoginSecret({ cfg, secretKey, label }: { cfg: ConfigApi; secretKey: SecureKey; label: string }) {
  const error = useFieldError(`secureJsonData.${secretKey}`);
  return (
    <Field label={label} invalid={!!error} error={error}>
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
