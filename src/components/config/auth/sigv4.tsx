import React from 'react';

import { SigV4Settings } from '../../../types/settings';
import { RadioField, Row, Rows, SecretField, TextField } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

function SigV4Editor({ cfg, auth, setAuth }: AuthEditorProps) {
  const v = auth.sigv4 ?? {};
  const setV = (fn: (x: SigV4Settings) => void) => setAuth((a) => fn((a.sigv4 = a.sigv4 ?? {})));
  const text = (key: 'region' | 'service' | 'assumeRoleArn' | 'externalId', label: string, placeholder?: string) => (
    <TextField
      path={`jsonData.auth.sigv4.${key}`}
      label={label}
      placeholder={placeholder}
      value={v[key]}
      onChange={(s) => setV((x) => (s ? (x[key] = s) : delete x[key]))}
    />
  );
  return (
    <Rows>
      <Row>
        {text('region', 'Region', 'eu-west-1')}
        {text('service', 'Service', 'execute-api')}
        <RadioField<'keys' | 'default'>
          label="Credentials"
          ariaLabel="SigV4 credentials"
          description="The default chain works only if Grafana allows it ([aws])."
          options={[
            { label: 'Access keys', value: 'keys' },
            { label: 'AWS default chain', value: 'default' },
          ]}
          value={v.authMode ?? 'keys'}
          onChange={(m) => setV((x) => (m === 'keys' ? delete x.authMode : (x.authMode = m)))}
        />
      </Row>
      {(v.authMode ?? 'keys') === 'keys' && (
        <Row>
          <SecretField cfg={cfg} secretKey="sigV4AccessKey" label="Access key ID" />
          <SecretField cfg={cfg} secretKey="sigV4SecretKey" label="Secret access key" />
          <SecretField cfg={cfg} secretKey="sigV4SessionToken" label="Session token" description="Optional" />
        </Row>
      )}
      <Row>
        {text('assumeRoleArn', 'Assume role ARN', 'arn:aws:iam::123456789012:role/grafana')}
        {text('externalId', 'External ID')}
      </Row>
    </Rows>
  );
}

export const sigv4: AuthKindEditor = {
  label: 'AWS SigV4',
  description: 'AWS Signature Version 4',
  secrets: ['sigV4AccessKey', 'sigV4SecretKey', 'sigV4SessionToken'],
  Editor: SigV4Editor,
};
