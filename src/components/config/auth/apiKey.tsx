import React from 'react';

import { RadioField, Row, SecretField, TextField } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

function APIKeyEditor({ cfg, auth, setAuth }: AuthEditorProps) {
  return (
    <Row top>
      <RadioField<'header' | 'query'>
        label="Send in"
        ariaLabel="API key location"
        options={[
          { label: 'Header', value: 'header' },
          { label: 'Query parameter', value: 'query' },
        ]}
        value={auth.apiKeyIn ?? 'header'}
        onChange={(v) => setAuth((a) => (a.apiKeyIn = v))}
      />
      <TextField
        path="jsonData.auth.apiKeyName"
        label={auth.apiKeyIn === 'query' ? 'Parameter name' : 'Header name'}
        placeholder="X-API-Key"
        value={auth.apiKeyName}
        onChange={(v) => setAuth((a) => (a.apiKeyName = v || undefined))}
      />
      <SecretField cfg={cfg} secretKey="apiKeyValue" label="Key" />
    </Row>
  );
}

export const apiKey: AuthKindEditor = {
  label: 'API key',
  description: 'A key in a header or query parameter',
  secrets: ['apiKeyValue'],
  Editor: APIKeyEditor,
};
