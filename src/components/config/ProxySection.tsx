import React from 'react';
import {
  Alert,
  Button,
  Field,
  IconButton,
  Input,
  RadioButtonGroup,
  Stack,
  Switch,
  TagsInput,
  Text,
  useStyles2,
} from '@grafana/ui';

import { KeyValueEditor } from '../common/KeyValueEditor';
import { MethodChips } from '../common/MethodChips';
import { Section } from '../common/Section';
import { getTableStyles } from '../common/styles';
import { DEFAULTS, HTTP_METHODS, ProxyRule, Role, ROLES } from '../../types/settings';
import { ConfigApi, durationError, formatBytes, parseNumber } from './configApi';
import { useFieldError, useFieldErrorsUnder } from './health';
import { RateClassesTable } from './RateClassesTable';
import { DurationField } from './TransportSection';

export const ROLE_OPTIONS = ROLES.map((r) => ({ label: r, value: r }));

export function ProxySection({ cfg }: { cfg: ConfigApi }) {
  const styles = useStyles2(getTableStyles);
  const proxy = cfg.jsonData.proxy ?? {};
  const usingDefault = proxy.rules === undefined;
  const rules = proxy.rules ?? [];

  const setRules = (fn: (rules: ProxyRule[]) => void) =>
    cfg.update((jd) => {
      jd.proxy = jd.proxy ?? {};
      jd.proxy.rules = jd.proxy.rules ?? [];
      fn(jd.proxy.rules);
    });
  const setRule = (i: number, fn: (r: ProxyRule) => void) => setRules((rs) => fn(rs[i]));

  return (
    <Section
      title="Proxy rules"
      description={
        <>
          Which upstream paths and methods callers may use through <code>/proxy/…</code> and queries. A path ending in
          “/” or “*” is a prefix; anything else matches exactly. Everything not allowed by a rule is refused.
        </>
      }
    >
      {usingDefault ? (
        <Stack direction="row" gap={2} alignItems="center">
          <Text color="secondary">
            Default: Viewers may <code>GET</code> and <code>HEAD</code> every path; nothing else is allowed.
          </Text>
          <Button
            size="sm"
            variant="secondary"
            icon="pen"
            onClick={() =>
              cfg.update(
                (jd) => (jd.proxy = { ...(jd.proxy ?? {}), rules: DEFAULTS.proxyRules.map((r) => ({ ...r })) })
              )
            }
          >
            Customize rules
          </Button>
        </Stack>
      ) : (
        <>
          <table className={styles.table} aria-label="Proxy rules">
            <thead>
              <tr>
                <th>Path</th>
                <th>Methods</th>
                <th>Minimum role</th>
                <th>Only users</th>
                <th>Cache TTL</th>
                <th>Shared cache</th>
                <th>Timeout</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                <RuleRow
                  key={i}
                  index={i}
                  rule={r}
                  onChange={(fn) => setRule(i, fn)}
                  onRemove={() => setRules((rs) => rs.splice(i, 1))}
                />
              ))}
            </tbody>
          </table>
          {rules.length === 0 && (
            <Alert severity="info" title="No rules: every proxy call is refused">
              Add a rule to allow paths, or restore the default.
            </Alert>
          )}
          <Stack direction="row" gap={1}>
            <Button
              size="sm"
              variant="secondary"
              icon="plus"
              onClick={() => setRules((rs) => rs.push({ path: '/', methods: ['GET'], minRole: 'Viewer' }))}
            >
              Add rule
            </Button>
            <Button
              size="sm"
              variant="secondary"
              fill="text"
              onClick={() =>
                cfg.update((jd) => {
                  if (jd.proxy) {
                    delete jd.proxy.rules;
                  }
                })
              }
            >
              Restore default
            </Button>
          </Stack>
        </>
      )}
      <Field label="Fixed query parameters" description="Added to every upstream request (e.g. an API version).">
        <KeyValueEditor
          name="query parameter"
          value={proxy.queryParams}
          onChange={(m) =>
            cfg.update((jd) => {
              jd.proxy = jd.proxy ?? {};
              Object.keys(m).length ? (jd.proxy.queryParams = m) : delete jd.proxy.queryParams;
            })
          }
        />
      </Field>
    </Section>
  );
}

function RuleRow({
  index,
  rule,
  onChange,
  onRemove,
}: {
  index: number;
  rule: ProxyRule;
  onChange: (fn: (r: ProxyRule) => void) => void;
  onRemove: () => void;
}) {
  const styles = useStyles2(getTableStyles);
  const f = `jsonData.proxy.rules[${index}]`;
  const pathError = useFieldError(`${f}.path`);
  const methodsError = useFieldError(`${f}.methods`);
  const other = useFieldErrorsUnder(f).filter(([k]) => k !== `${f}.path` && k !== `${f}.methods`);
  const n = index + 1;
  const localPathError =
    rule.path && (!rule.path.startsWith('/') || rule.path.includes('..'))
      ? 'Must start with / and not contain ..'
      : undefined;
  const ttlError = durationError(rule.cacheTTL);
  const timeoutError = durationError(rule.timeout);
  const errors = [
    localPathError ?? pathError,
    rule.methods.length === 0 ? 'Pick at least one method' : methodsError,
    ttlError,
    timeoutError,
    ...other.map(([k, m]) => `${k}: ${m}`),
  ].filter(Boolean);
  return (
    <>
      <tr data-testid={`proxy-rule-${n}`}>
        <td>
          <Input
            aria-label={`Rule ${n} path`}
            className={styles.mono}
            width={24}
            value={rule.path}
            invalid={!!(localPathError || pathError)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              onChange((r) => (r.path = v));
            }}
          />
        </td>
        <td>
          <MethodChips
            label={`Rule ${n} methods`}
            methods={HTTP_METHODS}
            value={rule.methods}
            onChange={(m) => onChange((r) => (r.methods = m))}
          />
        </td>
        <td>
          <RadioButtonGroup<Role>
            aria-label={`Rule ${n} minimum role`}
            size="sm"
            options={ROLE_OPTIONS}
            value={rule.minRole ?? 'Viewer'}
            onChange={(v) => onChange((r) => (r.minRole = v))}
          />
        </td>
        <td>
          <TagsInput
            width={20}
            placeholder="login"
            tags={rule.users ?? []}
            addOnBlur
            onChange={(t) => onChange((r) => (t.length ? (r.users = t) : delete r.users))}
          />
        </td>
        <td>
          <Input
            aria-label={`Rule ${n} cache TTL`}
            width={9}
            placeholder="off"
            value={rule.cacheTTL ?? ''}
            invalid={!!ttlError}
            onChange={(e) => {
              const v = e.currentTarget.value.trim();
              onChange((r) => (v ? (r.cacheTTL = v) : delete r.cacheTTL));
            }}
          />
        </td>
        <td>
          <Switch
            aria-label={`Rule ${n} shared cache`}
            value={!!rule.sharedCache}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              onChange((r) => (v ? (r.sharedCache = true) : delete r.sharedCache));
            }}
          />
        </td>
        <td>
          <Input
            aria-label={`Rule ${n} timeout`}
            width={9}
            placeholder="default"
            value={rule.timeout ?? ''}
            invalid={!!timeoutError}
            onChange={(e) => {
              const v = e.currentTarget.value.trim();
              onChange((r) => (v ? (r.timeout = v) : delete r.timeout));
            }}
          />
        </td>
        <td>
          <IconButton name="trash-alt" tooltip={`Remove rule ${n}`} onClick={onRemove} />
        </td>
      </tr>
      {errors.length > 0 && (
        <tr>
          <td colSpan={8} className={styles.error}>
            {errors.join(' · ')}
          </td>
        </tr>
      )}
    </>
  );
}

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
