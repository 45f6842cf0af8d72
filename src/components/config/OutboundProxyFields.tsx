import React from 'react';
import { Alert, Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import { OutboundProxySettings } from '../../types/settings';
import { SecretField } from './AuthSection';
import { ConfigApi } from './configApi';

/** How connections to an upstream leave Grafana's host: directly, by the environment's proxy, or a proxy URL. */
export function OutboundProxyFields({
  cfg,
  value,
  onChange,
}: {
  cfg: ConfigApi;
  value?: OutboundProxySettings;
  onChange: (o: OutboundProxySettings | undefined) => void;
}) {
  const mode = value?.mode ?? 'none';
  return (
    <Stack direction="column" gap={0}>
      <Field label="Outbound proxy" description="How connections to this upstream leave Grafana's host.">
        <RadioButtonGroup<'none' | 'env' | 'url'>
          aria-label="Outbound proxy"
          options={[
            { label: 'Direct', value: 'none' },
            { label: 'From environment', value: 'env' },
            { label: 'Proxy URL', value: 'url' },
          ]}
          value={mode}
          onChange={(m) => onChange(m === 'none' ? undefined : { ...(value ?? {}), mode: m })}
        />
      </Field>
      {mode === 'url' && (
        <Stack direction="row" gap={2} wrap="wrap">
          <Field label="Proxy URL">
            <Input
              aria-label="Outbound proxy URL"
              width={36}
              placeholder="http://proxy.corp:3128"
              value={value?.url ?? ''}
              onChange={(e) => onChange({ ...(value ?? {}), url: e.currentTarget.value })}
            />
          </Field>
          <Field label="Proxy user">
            <Input
              aria-label="Outbound proxy user"
              width={20}
              value={value?.username ?? ''}
              onChange={(e) => onChange({ ...(value ?? {}), username: e.currentTarget.value || undefined })}
            />
          </Field>
          <SecretField cfg={cfg} secretKey="outboundProxyPassword" label="Proxy password" />
        </Stack>
      )}
      {mode === 'env' && (
        <Alert severity="info" title="HTTPS_PROXY, HTTP_PROXY and NO_PROXY from Grafana's environment" />
      )}
    </Stack>
  );
}
