import { AuthKindEditor } from './types';

export const none: AuthKindEditor = { label: 'None', description: 'No credentials', secrets: [] };
