import React from 'react';

import { AzureSettings } from '../../../types/settings';
import { RadioField, Row, Rows, ScopesField, SecretField, TextField } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

function AzureEditor({ cfg, auth, setAuth }: AuthEditorProps) {
  const z = auth.azure ?? {};
  const setZ = (fn: (x: AzureSettings) => void) => setAuth((a) => fn((a.azure = a.azure ?? {})));
  const mode = z.mode ?? 'clientSecret';
  return (
    <Rows>
      <RadioField<'clientSecret' | 'managedIdentity'>
        label="Credentials"
        ariaLabel="Azure credentials"
        options={[
          { label: 'Client secret', value: 'clientSecret' },
          { label: 'Managed identity', value: 'managedIdentity' },
        ]}
        value={mode}
        onChange={(m) => setZ((x) => (x.mode = m))}
      />
      <Row>
        {mode === 'clientSecret' && (
          <TextField
            path="jsonData.auth.azure.tenantId"
            label="Tenant ID"
            value={z.tenantId}
            onChange={(s) => setZ((x) => (s ? (x.tenantId = s) : delete x.tenantId))}
          />
        )}
        <TextField
          path="jsonData.auth.azure.clientId"
          label="Client ID"
          value={z.clientId}
          onChange={(s) => setZ((x) => (s ? (x.clientId = s) : delete x.clientId))}
        />
        {mode === 'clientSecret' && <SecretField cfg={cfg} secretKey="azureClientSecret" label="Client secret" />}
        <ScopesField
          description="E.g. api://<app-id>/.default"
          value={z.scopes}
          onChange={(tags) => setZ((x) => (tags ? (x.scopes = tags) : delete x.scopes))}
        />
      </Row>
    </Rows>
  );
}

export const azure: AuthKindEditor = {
  label: 'Azure',
  description: 'Microsoft Entra ID',
  secrets: ['azureClientSecret'],
  Editor: AzureEditor,
};
