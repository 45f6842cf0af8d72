import React from 'react';

import { Row, SecretField, TextField } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

/** User and password: basic auth's, and digest's (which answers the upstream's challenge with them). */
export function UserPasswordEditor({ cfg, auth, setAuth }: AuthEditorProps) {
  return (
    <Row>
      <TextField
        path="jsonData.auth.basicUser"
        label="User"
        value={auth.basicUser}
        onChange={(v) => setAuth((a) => (a.basicUser = v))}
      />
      <SecretField cfg={cfg} secretKey="basicAuthPassword" label="Password" />
    </Row>
  );
}

export const basic: AuthKindEditor = {
  label: 'Basic',
  description: 'User name and password',
  secrets: ['basicAuthPassword'],
  Editor: UserPasswordEditor,
};
