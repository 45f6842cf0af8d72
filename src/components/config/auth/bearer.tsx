import React from 'react';

import { SecretField } from './fields';
import { AuthEditorProps, AuthKindEditor } from './types';

export const bearer: AuthKindEditor = {
  label: 'Bearer token',
  description: 'Authorization: Bearer <token>',
  secrets: ['bearerToken'],
  Editor: ({ cfg }: AuthEditorProps) => <SecretField cfg={cfg} secretKey="bearerToken" label="Token" />,
};
