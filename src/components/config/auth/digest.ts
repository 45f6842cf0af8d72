import { UserPasswordEditor } from './basic';
import { AuthKindEditor } from './types';

export const digest: AuthKindEditor = {
  label: 'Digest',
  description: 'HTTP Digest (RFC 7616)',
  secrets: ['basicAuthPassword'],
  Editor: UserPasswordEditor,
};
