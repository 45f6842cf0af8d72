import React, { useState } from 'react';
import { Button, ConfirmModal, Stack } from '@grafana/ui';

import { Section } from '../common/Section';
import { SecureKey, upstreamSecretKey } from '../../types/settings';
import { ConfigApi } from './configApi';
import { UpstreamCard } from './UpstreamCard';
import { upstreamSecretKeys } from './upstreamConfig';

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
