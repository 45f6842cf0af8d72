import React from 'react';

import { AuthSettings, RelayJsonData, SecureKey } from '../../../types/settings';
import { ConfigApi } from '../configApi';

export type SetAuth = (fn: (a: AuthSettings) => void) => void;

/** What an auth kind's editor gets: the config, the auth block and a way to change it. */
export interface AuthEditorProps {
  cfg: ConfigApi;
  auth: AuthSettings;
  setAuth: SetAuth;
}

/** One auth kind in the editor (an entry of AUTH_EDITORS, one file per kind beside this one). */
export interface AuthKindEditor {
  label: string;
  description: string;
  /** The secrets the kind uses: switching kind resets those the new kind does not use. */
  secrets: SecureKey[];
  /** The kind's fields; none for a kind without settings. */
  Editor?: React.ComponentType<AuthEditorProps>;
  /** Heard on every change of kind, `chosen` saying whether this kind is the new one (defaults, Grafana flags). */
  onTypeChange?: (jd: RelayJsonData, chosen: boolean) => void;
}
