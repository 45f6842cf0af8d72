import React from 'react';
import { Field, RadioButtonGroup } from '@grafana/ui';

import { Section } from '../common/Section';
import { AUTH_KINDS } from '../../api/settings.gen';
import { AuthSettings, AuthType, SecureKey } from '../../types/settings';
import { AUTH_EDITORS } from './auth';
import { ConfigApi } from './configApi';
import { useFieldError } from './health';

export { SecretField } from './auth/fields';

const AUTH_TYPES = AUTH_KINDS.map((value) => ({
  value,
  label: AUTH_EDITORS[value].label,
  description: AUTH_EDITORS[value].description,
}));

/** The auth block of the data source or of one upstream: the kind, then that kind's editor (auth/<kind>.tsx). */
export function AuthSection({ cfg, title = 'Authentication' }: { cfg: ConfigApi; title?: string }) {
  const auth = cfg.jsonData.auth ?? {};
  const type: AuthType = auth.type ?? (cfg.jsonData.oauthPassThru ? 'forwardOAuth' : 'none');
  const typeError = useFieldError('jsonData.auth.type');

  const setType = (t: AuthType) => {
    // Secrets the old kind used and the new one does not are reset.
    const stale: Partial<Record<SecureKey, null>> = {};
    for (const k of AUTH_EDITORS[type].secrets) {
      if (!AUTH_EDITORS[t].secrets.includes(k)) {
        stale[k] = null;
      }
    }
    cfg.secure.batch(stale, (jd) => {
      jd.auth = { ...(jd.auth ?? {}), type: t };
      for (const kind of AUTH_KINDS) {
        AUTH_EDITORS[kind].onTypeChange?.(jd, kind === t);
      }
    });
  };
  const setAuth = (fn: (a: AuthSettings) => void) => cfg.update((jd) => fn((jd.auth = jd.auth ?? { type })));
  const Editor = AUTH_EDITORS[type].Editor;

  return (
    <Section
      title={title}
      description="How Relay authenticates to the upstream. Credentials are injected server side and never reach the browser."
    >
      <Field label="Type" invalid={!!typeError} error={typeError}>
        <RadioButtonGroup<AuthType> aria-label="Auth type" options={AUTH_TYPES} value={type} onChange={setType} />
      </Field>
      {Editor && <Editor cfg={cfg} auth={auth} setAuth={setAuth} />}
    </Section>
  );
}
