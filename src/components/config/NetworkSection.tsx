import React from 'react';
import { Alert, Field, Input, Stack, Switch, TagsInput, Text } from '@grafana/ui';

import { Section } from '../common/Section';
import { DEFAULTS } from '../../types/settings';
import { ConfigApi, parseNumber } from './configApi';
import { useFieldErrorsUnder } from './health';

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

export function invalidCIDRs(list: string[] | undefined): string[] {
  return (list ?? []).filter((c) => !CIDR.test(c));
}

export function NetworkSection({ cfg, title = 'Network policy' }: { cfg: ConfigApi; title?: string }) {
  const n = cfg.jsonData.network ?? {};
  const setN = (fn: (x: NonNullable<typeof n>) => void) => cfg.update((jd) => fn((jd.network = jd.network ?? {})));
  const badCIDRs = invalidCIDRs(n.allowedCIDRs);
  const backend = useFieldErrorsUnder('jsonData.network');

  return (
    <Section
      title={title}
      description={
        <>
          By default Relay refuses to connect to loopback, private and link-local addresses and talks only to the
          upstream URL&apos;s origin. Open exactly what the upstream needs.
        </>
      }
    >
      <Alert severity="warning" title="Why this matters (SSRF)">
        Everyone who may query this data source — every Viewer — can make Relay send requests. If Relay may reach
        internal networks, those users can reach internal services through it: admin consoles, databases with HTTP
        interfaces, other Grafana plugins, and cloud metadata endpoints such as 169.254.169.254 that hand out
        credentials. Allow only what the upstream needs, preferably exact CIDRs or hosts rather than all private
        networks.
      </Alert>
      <Stack direction="row" gap={4} wrap="wrap">
        <Field label="Allow private networks" description="Lets Relay connect to any private or loopback address.">
          <Switch
            aria-label="Allow private networks"
            value={!!n.allowPrivateNetworks}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              setN((x) => (v ? (x.allowPrivateNetworks = true) : delete x.allowPrivateNetworks));
            }}
          />
        </Field>
        <Field label="Maximum redirects" description="0 to 10; redirects must stay on allowed hosts.">
          <Input
            aria-label="Maximum redirects"
            type="number"
            min={0}
            max={10}
            width={12}
            placeholder={String(DEFAULTS.maxRedirects)}
            value={n.maxRedirects ?? ''}
            onChange={(e) => {
              const v = parseNumber(e.currentTarget.value);
              setN((x) => (v === undefined ? delete x.maxRedirects : (x.maxRedirects = v)));
            }}
          />
        </Field>
      </Stack>
      {n.allowPrivateNetworks && (
        <Alert severity="error" title="All private networks are reachable">
          Any user of this data source can now reach internal services through Relay. Prefer listing the exact CIDRs or
          hosts the upstream lives on.
        </Alert>
      )}
      <Stack direction="row" gap={4} wrap="wrap">
        <Field
          label="Allowed CIDRs"
          description="Internal ranges Relay may connect to, e.g. 10.20.0.0/16."
          invalid={badCIDRs.length > 0}
          error={badCIDRs.length ? `Not a CIDR: ${badCIDRs.join(', ')}` : undefined}
        >
          <TagsInput
            id="relay-allowed-cidrs"
            placeholder="Add CIDR and press Enter"
            tags={n.allowedCIDRs ?? []}
            addOnBlur
            onChange={(tags) => setN((x) => (tags.length ? (x.allowedCIDRs = tags) : delete x.allowedCIDRs))}
          />
        </Field>
        <Field
          label="Allowed hosts"
          description="Extra host or host:port names Relay may connect to (e.g. for redirects)."
        >
          <TagsInput
            id="relay-allowed-hosts"
            placeholder="Add host and press Enter"
            tags={n.allowedHosts ?? []}
            addOnBlur
            onChange={(tags) => setN((x) => (tags.length ? (x.allowedHosts = tags) : delete x.allowedHosts))}
          />
        </Field>
      </Stack>
      {backend.map(([f, m]) => (
        <div key={f}>
          <Text color="error" variant="bodySmall">{`${f}: ${m}`}</Text>
        </div>
      ))}
    </Section>
  );
}
