import React from 'react';
import { Field } from '@grafana/ui';

import { KeyValueEditor } from '../../common/KeyValueEditor';
import { OAuth2Settings } from '../../../types/settings';
import { RadioField, Row, Rows, ScopesField, SecretField, TextField, TokenFormatFields } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

function OAuth2Editor({ cfg, auth, setAuth }: AuthEditorProps) {
  const o = auth.oauth2 ?? {};
  const setO = (fn: (o: OAuth2Settings) => void) => setAuth((a) => fn((a.oauth2 = a.oauth2 ?? {})));
  const grant = o.grantType ?? 'client_credentials';
  return (
    <Rows>
      <RadioField<NonNullable<OAuth2Settings['grantType']>>
        label="Grant"
        ariaLabel="OAuth2 grant"
        options={[
          { label: 'Client credentials', value: 'client_credentials' },
          { label: 'Password', value: 'password' },
          { label: 'Refresh token', value: 'refresh_token' },
        ]}
        value={grant}
        onChange={(g) => setO((x) => (g === 'client_credentials' ? delete x.grantType : (x.grantType = g)))}
      />
      {grant === 'password' && (
        <Row>
          <TextField
            path="jsonData.auth.oauth2.username"
            label="Resource owner"
            value={o.username}
            onChange={(v) => setO((x) => (v ? (x.username = v) : delete x.username))}
          />
          <SecretField cfg={cfg} secretKey="oauth2Password" label="Resource owner password" />
        </Row>
      )}
      {grant === 'refresh_token' && (
        <SecretField
          cfg={cfg}
          secretKey="oauth2RefreshToken"
          label="Refresh token"
          description="A rotated refresh token is kept in memory and used next"
        />
      )}
      <Row>
        <TextField
          path="jsonData.auth.oauth2.tokenUrl"
          label="Token URL"
          width={50}
          placeholder="https://auth.example.com/oauth/token"
          value={o.tokenUrl}
          onChange={(v) => setO((x) => (x.tokenUrl = v))}
        />
        <TextField
          path="jsonData.auth.oauth2.clientId"
          label="Client ID"
          value={o.clientId}
          onChange={(v) => setO((x) => (x.clientId = v))}
        />
        <SecretField cfg={cfg} secretKey="oauth2ClientSecret" label="Client secret" />
      </Row>
      <Row>
        <ScopesField value={o.scopes} onChange={(tags) => setO((x) => (tags ? (x.scopes = tags) : delete x.scopes))} />
        <RadioField<'header' | 'params'>
          label="Send client credentials in"
          ariaLabel="OAuth2 auth style"
          description="Some servers want them in the form body."
          options={[
            { label: 'Basic auth header', value: 'header' },
            { label: 'Form parameters', value: 'params' },
          ]}
          value={o.authStyle ?? 'header'}
          onChange={(v) => setO((x) => (x.authStyle = v))}
        />
      </Row>
      <Row>
        <TokenFormatFields path="jsonData.auth.oauth2" value={o} onChange={(fn) => setO(fn)} />
      </Row>
      <Row>
        <TextField
          path="jsonData.auth.oauth2.audience"
          label="Audience"
          value={o.audience}
          onChange={(v) => setO((x) => (v ? (x.audience = v) : delete x.audience))}
        />
        <TextField
          path="jsonData.auth.oauth2.resource"
          label="Resource"
          placeholder="https://api.example.com"
          value={o.resource}
          onChange={(v) => setO((x) => (v ? (x.resource = v) : delete x.resource))}
        />
      </Row>
      <Field label="Token request headers">
        <KeyValueEditor
          name="token header"
          value={o.headers}
          onChange={(m) => setO((x) => (Object.keys(m).length ? (x.headers = m) : delete x.headers))}
        />
      </Field>
      <Field label="Extra token request parameters" description="Any other form parameter of the token request.">
        <KeyValueEditor
          name="token parameter"
          value={o.endpointParams}
          onChange={(m) => setO((x) => (Object.keys(m).length ? (x.endpointParams = m) : delete x.endpointParams))}
        />
      </Field>
    </Rows>
  );
}

export const oauth2: AuthKindEditor = {
  label: 'OAuth2',
  description: 'Client credentials, password or refresh token grant',
  secrets: ['oauth2ClientSecret', 'oauth2Password', 'oauth2RefreshToken'],
  Editor: OAuth2Editor,
};
