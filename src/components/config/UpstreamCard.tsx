import React, { useState } from 'react';
import { Button, ControlledCollapse, Field, Input, Stack, Switch } from '@grafana/ui';

import { UPSTREAM_NAME, UpstreamSettings } from '../../types/settings';
import { AuthSection } from './AuthSection';
import { ConfigApi } from './configApi';
import { FieldErrorsContext, useFieldErrors } from './health';
import { NetworkSection } from './NetworkSection';
import { OutboundProxyFields } from './OutboundProxyFields';
import { ProxySection } from './ProxySection';
import { TLSSection } from './TransportSection';
import { upstreamConfigApi, upstreamFieldErrors } from './upstreamConfig';

/** Why a name cannot be used, or undefined. */
export function upstreamNameError(name: string, others: string[]): string | undefined {
  if (name === 'default') {
    return '"default" is the data source\'s own upstream';
  }
  if (!UPSTREAM_NAME.test(name)) {
    return 'Lower-case letters, digits, - or _, starting with a letter (at most 63)';
  }
  if (others.includes(name)) {
    return 'Another upstream has this name';
  }
  return undefined;
}

/** One named upstream: its name, URL and the sections of its own settings. */
export function UpstreamCard(props: {
  cfg: ConfigApi;
  index: number;
  upstream: UpstreamSettings;
  open: boolean;
  others: string[];
  onRename: (to: string) => void;
  onRemove: () => void;
}) {
  const { cfg, index: i, upstream: u } = props;
  const n = i + 1;
  const errs = useFieldErrors();
  const scoped = upstreamConfigApi(cfg, i);
  const savedSecrets = Object.entries(cfg.options.secureJsonFields ?? {}).some(
    ([k, on]) => on && k.startsWith(`upstreams.${u.name}.`)
  );
  const setUp = (fn: (x: UpstreamSettings) => void) => cfg.update((jd) => fn((jd.upstreams ?? [])[i]));
  const urlError = errs[`jsonData.upstreams[${i}].url`];

  return (
    <div data-testid={`upstream-${n}`}>
      <ControlledCollapse label={`${u.name} — ${u.url || 'no URL yet'}`} isOpen={props.open}>
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-start">
          <NameField
            key={u.name}
            n={n}
            name={u.name}
            others={props.others}
            backendError={errs[`jsonData.upstreams[${i}].name`]}
            savedSecrets={savedSecrets}
            onRename={props.onRename}
          />
          <Field label="URL" invalid={!!urlError} error={urlError}>
            <Input
              aria-label={`Upstream ${n} URL`}
              width={40}
              placeholder="https://api.example.com/v1"
              value={u.url}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setUp((x) => (x.url = v));
              }}
            />
          </Field>
          <Field label="Health path">
            <Input
              aria-label={`Upstream ${n} health path`}
              width={16}
              placeholder="/"
              value={u.healthPath ?? ''}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setUp((x) => (v ? (x.healthPath = v) : delete x.healthPath));
              }}
            />
          </Field>
          <Field label="Forward Grafana ID token" description="X-Grafana-Id; the API must verify it.">
            <Switch
              aria-label={`Upstream ${n} forwards Grafana ID token`}
              value={!!u.forwardGrafanaIdToken}
              onChange={(e) => {
                const v = e.currentTarget.checked;
                setUp((x) => (v ? (x.forwardGrafanaIdToken = true) : delete x.forwardGrafanaIdToken));
              }}
            />
          </Field>
        </Stack>
        <FieldErrorsContext.Provider value={upstreamFieldErrors(errs, i, u.name)}>
          <AuthSection cfg={scoped} title={`${u.name}: authentication`} />
          <OutboundProxyFields
            cfg={scoped}
            value={u.outboundProxy}
            onChange={(o) => setUp((x) => (o ? (x.outboundProxy = o) : delete x.outboundProxy))}
          />
          <TLSSection cfg={scoped} title={`${u.name}: TLS`} />
          <NetworkSection cfg={scoped} title={`${u.name}: network policy`} />
          <ProxySection cfg={scoped} title={`${u.name}: proxy rules`} />
        </FieldErrorsContext.Provider>
        <Button size="sm" variant="destructive" fill="outline" icon="trash-alt" onClick={props.onRemove}>
          Remove upstream {u.name}
        </Button>
      </ControlledCollapse>
    </div>
  );
}

/** The name is committed on blur: each rename moves the upstream's secret keys. */
function NameField(props: {
  n: number;
  name: string;
  others: string[];
  backendError?: string;
  savedSecrets: boolean;
  onRename: (to: string) => void;
}) {
  const [name, setName] = useState(props.name);
  const error = upstreamNameError(name, props.others) ?? props.backendError;
  return (
    <Field
      label="Name"
      description={
        props.savedSecrets ? 'Renaming clears its saved secrets: enter them again.' : `Proxy path /proxy/${props.name}/`
      }
      invalid={!!error}
      error={error}
    >
      <Input
        aria-label={`Upstream ${props.n} name`}
        width={24}
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        onBlur={() => {
          if (name !== props.name && !upstreamNameError(name, props.others)) {
            props.onRename(name);
          }
        }}
      />
    </Field>
  );
}
