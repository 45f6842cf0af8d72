import { AuthType } from '../../../types/settings';
import { apiKey } from './apiKey';
import { azure } from './azure';
import { basic } from './basic';
import { bearer } from './bearer';
import { digest } from './digest';
import { forwardOAuth } from './forwardOAuth';
import { jwt } from './jwt';
import { login } from './login';
import { none } from './none';
import { oauth2 } from './oauth2';
import { sigv4 } from './sigv4';
import { AuthKindEditor } from './types';

export type { AuthEditorProps, AuthKindEditor } from './types';

/**
 * The editor of every auth kind, by jsonData.auth.type. The kinds are the backend's (AUTH_KINDS in settings.gen.ts,
 * generated from pkg/settings' registry): a kind the backend adds fails the type check, and auth.test.tsx, until it
 * has an entry here. A new kind is one file beside this one (label, secrets, editor) and one line below.
 */
export const AUTH_EDITORS: Record<AuthType, AuthKindEditor> = {
  none,
  basic,
  bearer,
  apiKey,
  oauth2,
  forwardOAuth,
  sigv4,
  digest,
  jwt,
  azure,
  login,
};
