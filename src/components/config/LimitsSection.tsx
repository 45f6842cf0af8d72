import React from 'react';
import { Field, Input, Stack, Switch } from '@grafana/ui';

import { Section } from '../common/Section';
import { DEFAULTS } from '../../types/settings';
import { ConfigApi, formatBytes, parseNumber } from './configApi';
import { useFieldError } from './health';
import { RateClassesTable } from './RateClassesTable';
import { DurationField } from './TransportSection';

export function LimitsSection({ cfg }: { cfg: ConfigApi }) {
  const jd = cfg.jsonData;
  const rl = jd.rateLimits ?? {};
  return (
    <Section title="Limits" description="Protect the upstream and Grafana. Empty fields use the default shown.">
      <Stack direction="row" gap={2} wrap="wrap">
        <NumberField
          cfg={cfg}
          label="Max request body"
          path="jsonData.proxy.maxRequestBytes"
          bytes
          max={DEFAULTS.maxRequestBytesCeiling}
          placeholder={DEFAULTS.maxRequestBytes}
          value={jd.proxy?.maxRequestBytes}
          set={(d, v) => ((d.proxy = d.proxy ?? {}), setNum(d.proxy, 'maxRequestBytes', v))}
        />
        <NumberField
          cfg={cfg}
          label="Max response body"
          path="jsonData.proxy.maxResponseBytes"
          bytes
          placeholder={DEFAULTS.maxResponseBytes}
          value={jd.proxy?.maxResponseBytes}
          set={(d, v) => ((d.proxy = d.proxy ?? {}), setNum(d.proxy, 'maxResponseBytes', v))}
        />
        <NumberField
          cfg={cfg}
          label="Concurrent proxy calls"
          path="jsonData.proxy.maxConcurrent"
          placeholder={DEFAULTS.maxConcurrent}
          value={jd.proxy?.maxConcurrent}
          set={(d, v) => ((d.proxy = d.proxy ?? {}), setNum(d.proxy, 'maxConcurrent', v))}
        />
        <NumberField
          cfg={cfg}
          label="Response cache size"
          path="jsonData.cache.maxBytes"
          bytes
          placeholder={DEFAULTS.cacheMaxBytes}
          value={jd.cache?.maxBytes}
          set={(d, v) => ((d.cache = d.cache ?? {}), setNum(d.cache, 'maxBytes', v))}
        />
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap">
        <NumberField
          cfg={cfg}
          label="Transform input"
          path="jsonData.transform.maxInputBytes"
          bytes
          placeholder={DEFAULTS.transform.maxInputBytes}
          value={jd.transform?.maxInputBytes}
          set={(d, v) => ((d.transform = d.transform ?? {}), setNum(d.transform, 'maxInputBytes', v))}
        />
        <NumberField
          cfg={cfg}
          label="Transform rows"
          path="jsonData.transform.maxRows"
          placeholder={DEFAULTS.transform.maxRows}
          value={jd.transform?.maxRows}
          set={(d, v) => ((d.transform = d.transform ?? {}), setNum(d.transform, 'maxRows', v))}
        />
        <NumberField
          cfg={cfg}
          label="Pages per query"
          path="jsonData.query.maxPages"
          placeholder={DEFAULTS.query.maxPages}
          value={jd.query?.maxPages}
          set={(d, v) => ((d.query = d.query ?? {}), setNum(d.query, 'maxPages', v))}
        />
        <NumberField
          cfg={cfg}
          label="Query concurrency"
          path="jsonData.query.concurrency"
          placeholder={DEFAULTS.query.concurrency}
          value={jd.query?.concurrency}
          set={(d, v) => ((d.query = d.query ?? {}), setNum(d.query, 'concurrency', v))}
        />
      </Stack>
      <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-start">
        <Field label="Rate limiting" description="Per user and route class.">
          <Switch
            aria-label="Rate limiting"
            value={!rl.disabled}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              cfg.update((d) => {
                d.rateLimits = d.rateLimits ?? {};
                on ? delete d.rateLimits.disabled : (d.rateLimits.disabled = true);
              });
            }}
          />
        </Field>
        <NumberField
          cfg={cfg}
          label="Requests per second"
          path="jsonData.rateLimits.default"
          placeholder={DEFAULTS.rate.perSecond}
          value={rl.default?.perSecond}
          set={(d, v) => (
            (d.rateLimits = d.rateLimits ?? {}),
            (d.rateLimits.default = d.rateLimits.default ?? {}),
            setNum(d.rateLimits.default, 'perSecond', v)
          )}
        />
        <NumberField
          cfg={cfg}
          label="Burst"
          path="jsonData.rateLimits.default"
          placeholder={DEFAULTS.rate.burst}
          value={rl.default?.burst}
          set={(d, v) => (
            (d.rateLimits = d.rateLimits ?? {}),
            (d.rateLimits.default = d.rateLimits.default ?? {}),
            setNum(d.rateLimits.default, 'burst', v)
          )}
        />
        <DurationField
          label="Forget idle callers after"
          description="Limiter state of a user idle this long is dropped."
          path="jsonData.rateLimits.idleTTL"
          placeholder={DEFAULTS.rate.idleTTL}
          value={rl.idleTTL}
          onChange={(v) =>
            cfg.update((d) => {
              d.rateLimits = d.rateLimits ?? {};
              v ? (d.rateLimits.idleTTL = v) : delete d.rateLimits.idleTTL;
            })
          }
        />
      </Stack>
      <RateClassesTable cfg={cfg} />
      <Stack direction="row" gap={2} wrap="wrap">
        <NumberField
          cfg={cfg}
          label="Audit entries kept"
          description={`Recent calls kept in memory for GET /audit (1–${DEFAULTS.audit.ringSizeMax}).`}
          path="jsonData.audit.ringSize"
          min={1}
          max={DEFAULTS.audit.ringSizeMax}
          placeholder={DEFAULTS.audit.ringSize}
          value={jd.audit?.ringSize}
          set={(d, v) => ((d.audit = d.audit ?? {}), setNum(d.audit, 'ringSize', v))}
        />
      </Stack>
    </Section>
  );
}

function setNum<T extends object>(o: T, k: keyof T, v: number | undefined) {
  if (v === undefined) {
    delete o[k];
  } else {
    (o as Record<keyof T, unknown>)[k] = v;
  }
}

function NumberField(props: {
  cfg: ConfigApi;
  label: string;
  path: string;
  value?: number;
  placeholder: number;
  description?: string;
  bytes?: boolean;
  min?: number;
  max?: number;
  set: (jd: NonNullable<ConfigApi['jsonData']>, v: number | undefined) => void;
}) {
  const backend = useFieldError(props.path);
  const { value, max, bytes, min = 0 } = props;
  const local =
    value !== undefined && (value < min || (max !== undefined && value > max))
      ? max === undefined
        ? `Must be at least ${min}`
        : `Must be between ${min} and ${bytes ? formatBytes(max) : max}`
      : undefined;
  const hint = bytes
    ? formatBytes(value ?? props.placeholder) + (value === undefined ? ' (default)' : '')
    : props.description;
  return (
    <Field label={props.label} description={hint} invalid={!!(local || backend)} error={local ?? backend}>
      <Input
        aria-label={props.label}
        type="number"
        min={min}
        width={18}
        placeholder={String(props.placeholder)}
        value={value ?? ''}
        onChange={(e) => {
          const v = parseNumber(e.currentTarget.value);
          props.cfg.update((jd) => props.set(jd, v));
        }}
      />
    </Field>
  );
}
