import React from 'react';

import { JWTSettings } from '../../../types/settings';
import { Row, Rows, ScopesField, SecretField, TextField, TokenFormatFields } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

function JWTEditor({ cfg, auth, setAuth }: AuthEditorProps) {
  const j = auth.jwt ?? {};
  const setJ = (fn: (x: JWTSettings) => void) => setAuth((a) => fn((a.jwt = a.jwt ?? {})));
  const text = (key: 'tokenUrl' | 'email' | 'subject' | 'audience', label: string, placeholder?: string) => (
    <TextField
      path={`jsonData.auth.jwt.${key}`}
      label={label}
      placeholder={placeholder}
      value={j[key]}
      onChange={(s) => setJ((x) => (s ? (x[key] = s) : delete x[key]))}
    />
  );
  return (
    <Rows>
      <Row>
        {text('tokenUrl', 'Token URL', 'from the key file')}
        {text('email', 'Issuer (email)', 'from the key file')}
        {text('subject', 'Subject')}
        {text('audience', 'Audience')}
      </Row>
      <Row>
        <SecretField cfg={cfg} secretKey="jwtPrivateKey" label="Private key (PEM)" />
        <SecretField cfg={cfg} secretKey="googleServiceAccountJSON" label="Google service-account key file" />
        <ScopesField value={j.scopes} onChange={(tags) => setJ((x) => (tags ? (x.scopes = tags) : delete x.scopes))} />
      </Row>
      <Row>
        <TokenFormatFields path="jsonData.auth.jwt" value={j} onChange={(fn) => setJ(fn)} />
      </Row>
    </Rows>
  );
}

export const jwt: AuthKindEditor = {
  label: 'JWT bearer',
  description: 'OAuth2 JWT bearer grant, Google service accounts',
  secrets: ['jwtPrivateKey', 'googleServiceAccountJSON'],
  Editor: JWTEditor,
};
