import React, { useState } from 'react';
import {
  Alert,
  Button,
  ConfirmModal,
  ControlledCollapse,
  Field,
  Input,
  RadioButtonGroup,
  Stack,
  Switch,
} from '@grafana/ui';

import { Section } from '../common/Section';
import {
  OutboundProxySettings,
  SecureKey,
  UPSTREAM_NAME,
  UpstreamSettings,
  upstreamSecretKey,
} from '../../types/settings';
import { AuthSection, SecretField } from './AuthSection';
import { ConfigApi } from './configApi';
import { FieldErrorsContext, useFieldErrors } from './health';
import { NetworkSection } from './NetworkSection';
import { ProxySection } from './ProxySection';
import { TLSSection } from './TransportSection';
import { upstreamConfigApi, upstreamFieldErrors, upstreamSecretKeys } from './upstreamConfig';

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

/**
 * Named upstreams besides the data source's own URL, each with its own URL,
 * credentials (secureJsonData "upstreams.<name>.<key>"), TLS, network policy
 * and proxy rules, reached at /proxy/<name>/...
 */
export function UpstreamsSection({ cfg }: { cfg: ConfigApi }) {
  const ups = cfg.jsonData.upstreams ?? [];
  const [removing, setRemoving] = useState<number | undefined>();
  const [added, setAdded] = useState(-1);
  const actionsUsing = (name: string) =>
    (cfg.jsonData.actions ?? []).filter((a) => a.upstream === name).map((a) => a.name);

  const add = () => {
    const names = ups.map((u) => u.name);
    let n = ups.length + 1;
    while (names.includes(`upstream-${n}`)) {
      n++;
    }
    setAdded(ups.length);
    cfg.update((jd) => (jd.upstreams = [...(jd.upstreams ?? []), { name: `upstream-${n}`, url: '' }]));
  };
  // Removing an upstream resets its secrets and removes the actions that call it: pointing them at another
  // upstream would send their requests to an origin they were not written for.
  const removeNow = (i: number) => {
    const name = ups[i].name;
    const stale: Partial<Record<SecureKey, null>> = {};
    for (const k of upstreamSecretKeys(cfg, name)) {
      stale[k] = null;
    }
    cfg.secure.batch(stale, (jd) => {
      jd.upstreams = (jd.upstreams ?? []).filter((_, j) => j !== i);
      if (!jd.upstreams.length) {
        delete jd.upstreams;
      }
      if (jd.actions) {
        jd.actions = jd.actions.filter((a) => a.upstream !== name);
        if (!jd.actions.length) {
          delete jd.actions;
        }
      }
    });
  };
  const askRemove = (i: number) => {
    const u = ups[i];
    if (actionsUsing(u.name).length > 0 || (u.proxy?.rules?.length ?? 0) > 0) {
      setRemoving(i);
    } else {
      removeNow(i);
    }
  };
  const rename = (i: number, from: string, to: string) => {
    const changes: Partial<Record<SecureKey, string | null>> = {};
    const prefix = `upstreams.${from}.`;
    for (const k of upstreamSecretKeys(cfg, from)) {
      const typed = cfg.options.secureJsonData?.[k];
      if (typed) {
        changes[upstreamSecretKey(to, k.slice(prefix.length))] = typed; // not saved yet: it moves along
      }
      changes[k] = null; // saved values never reach the browser, so they cannot move: they are entered again
    }
    cfg.secure.batch(changes, (jd) => {
      (jd.upstreams ?? [])[i].name = to;
      for (const a of jd.actions ?? []) {
        if (a.upstream === from) {
          a.upstream = to;
        }
      }
    });
  };
  const pending = removing !== undefined ? ups[removing] : undefined;

  return (
    <Section
      title="Upstreams"
      description={
        <>
          More APIs besides the URL above, each with its own credentials, TLS, network policy and proxy rules. Callers
          reach upstream <code>name</code> at <code>/proxy/name/…</code>; queries and actions pick it by name. A
          credential is only ever sent to its own upstream.
        </>
      }
    >
      <Stack direction="column" gap={1}>
        {ups.map((u, i) => (
          <UpstreamCard
            key={i}
            cfg={cfg}
            index={i}
            upstream={u}
            open={i === added || ups.length === 1}
            others={ups.filter((_, j) => j !== i).map((x) => x.name)}
            onRename={(to) => rename(i, u.name, to)}
            onRemove={() => askRemove(i)}
          />
        ))}
        <div>
          <Button size="sm" variant="secondary" icon="plus" onClick={add}>
            Add upstream
          </Button>
        </div>
      </Stack>
      <ConfirmModal
        isOpen={pending !== undefined}
        title={`Remove upstream ${pending?.name ?? ''}?`}
        body={
          pending && (
            <>
              {(pending.proxy?.rules?.length ?? 0) > 0 && (
                <p>Its {pending.proxy?.rules?.length} proxy rules go with it.</p>
              )}
              {actionsUsing(pending.name).length > 0 && (
                <p>These actions call it and are removed too: {actionsUsing(pending.name).join(', ')}.</p>
              )}
              <p>Its secrets are cleared when you save.</p>
            </>
          )
        }
        confirmText="Remove"
        onConfirm={() => {
          if (removing !== undefined) {
            removeNow(removing);
          }
          setRemoving(undefined);
        }}
        onDismiss={() => setRemoving(undefined)}
      />
    </Section>
  );
}

function UpstreamCard(props: {
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

function OutboundProxyFields({
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
