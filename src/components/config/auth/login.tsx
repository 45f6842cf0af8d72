import React from 'react';
import { Field } from '@grafana/ui';

import { KeyValueEditor } from '../../common/KeyValueEditor';
import { LoginSettings, SecureKey } from '../../../types/settings';
import { RadioField, Row, Rows, SecretField, TextField, TokenFormatFields } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

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
export function LoginEditor({ cfg, auth, setAuth }: AuthEditorProps) {
  const l = auth.login ?? {};
  const setL = (fn: (x: LoginSettings) => void) => setAuth((a) => fn((a.login = a.login ?? {})));
  const from: TokenFrom =
    l.tokenHeader !== undefined ? 'tokenHeader' : l.tokenCookie !== undefined ? 'tokenCookie' : 'tokenPath';
  const body = flatStrings(l.body);
  const sendAs = auth.tokenCookie !== undefined ? 'cookie' : 'header';
  return (
    <Rows>
      <Row top>
        <RadioField<string>
          label="Method"
          ariaLabel="Login method"
          options={['POST', 'PUT', 'GET'].map((m) => ({ label: m, value: m }))}
          value={l.method ?? 'POST'}
          onChange={(m) => setL((x) => (m === 'POST' ? delete x.method : (x.method = m)))}
        />
        <TextField
          path="jsonData.auth.login.path"
          label="Login path"
          description="Below the upstream URL, or a URL on an allowed host"
          placeholder="/login"
          width={24}
          value={l.path}
          onChange={(v) => setL((x) => (x.path = v))}
        />
        <RadioField<'json' | 'form'>
          label="Body as"
          ariaLabel="Login content type"
          options={[
            { label: 'JSON', value: 'json' },
            { label: 'Form', value: 'form' },
          ]}
          value={l.contentType ?? 'json'}
          onChange={(v) => setL((x) => (v === 'json' ? delete x.contentType : (x.contentType = v)))}
        />
      </Row>
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
      <Row>
        {loginSecretKeys(l).map((k) => (
          <SecretField key={k} cfg={cfg} secretKey={`login.${k}` as SecureKey} label={`Secret ${k}`} />
        ))}
      </Row>
      <Field label="Login headers">
        <KeyValueEditor
          name="login header"
          value={l.headers}
          onChange={(m) => setL((x) => (Object.keys(m).length ? (x.headers = m) : delete x.headers))}
        />
      </Field>
      <Row top>
        <RadioField<TokenFrom>
          label="Token is in"
          ariaLabel="Token location"
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
        <TextField
          path={`jsonData.auth.login.${from}`}
          label={from === 'tokenPath' ? 'Token path' : from === 'tokenHeader' ? 'Answer header' : 'Answer cookie'}
          placeholder={from === 'tokenPath' ? 'auth.token' : from === 'tokenHeader' ? 'X-Subject-Token' : 'session'}
          width={24}
          value={l[from]}
          onChange={(v) => setL((x) => (x[from] = v))}
        />
        <TextField
          path="jsonData.auth.login.expiresInPath"
          label="Lifetime path"
          description="Seconds, in the answer"
          placeholder="expires_in"
          width={24}
          value={l.expiresInPath}
          onChange={(v) => setL((x) => (v ? (x.expiresInPath = v) : delete x.expiresInPath))}
        />
        <TextField
          path="jsonData.auth.login.expiresIn"
          label="Lifetime"
          description="When the answer has none"
          placeholder="10m"
          width={24}
          value={l.expiresIn}
          onChange={(v) => setL((x) => (v ? (x.expiresIn = v) : delete x.expiresIn))}
        />
      </Row>
      <Row top>
        <RadioField<'header' | 'cookie'>
          label="Send the token as"
          ariaLabel="Send token as"
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
        {sendAs === 'header' ? (
          <TokenFormatFields path="jsonData.auth" value={auth} width={24} onChange={setAuth} />
        ) : (
          <TextField
            path="jsonData.auth.tokenCookie"
            label="Cookie name"
            placeholder="session"
            width={24}
            value={auth.tokenCookie}
            onChange={(v) => setAuth((a) => (a.tokenCookie = v))}
          />
        )}
      </Row>
    </Rows>
  );
}

export const login: AuthKindEditor = {
  label: 'Login',
  description: "A token from the API's own login call",
  secrets: [], // login.<key> secrets are named by the body (loginSecretKeys)
  Editor: LoginEditor,
  onTypeChange: (jd, chosen) => {
    if (chosen && jd.auth && !jd.auth.login) {
      jd.auth.login = JSON.parse(JSON.stringify(DEFAULT_LOGIN));
    }
  },
};
