import React from 'react';
import { Alert, Button, Field, Input, RadioButtonGroup, Stack, Switch, TagsInput, Text, useStyles2 } from '@grafana/ui';

import { Column, EditableTable } from '../common/EditableTable';
import { KeyValueEditor } from '../common/KeyValueEditor';
import { MethodChips } from '../common/MethodChips';
import { Section } from '../common/Section';
import { getTableStyles } from '../common/styles';
import { DEFAULTS, HTTP_METHODS, ProxyRule, Role, ROLES } from '../../types/settings';
import { ConfigApi, durationError } from './configApi';
import { GraphQLRuleFields } from './GraphQLRuleFields';
import { FieldErrors, fieldErrorsUnder, useFieldErrors } from './health';

export const ROLE_OPTIONS = ROLES.map((r) => ({ label: r, value: r }));

type Edit = (i: number, fn: (r: ProxyRule) => void) => void;

const field = (i: number) => `jsonData.proxy.rules[${i}]`;

function localPathError(path: string): string | undefined {
  return path && (!path.startsWith('/') || path.includes('..')) ? 'Must start with / and not contain ..' : undefined;
}

/** An optional duration: empty removes the key. */
function durationColumn(
  header: string,
  label: string,
  key: 'cacheTTL' | 'timeout',
  placeholder: string,
  edit: Edit
): Column<ProxyRule> {
  return {
    header,
    validate: (r) => durationError(r[key]),
    render: ({ row, index, n, error }) => (
      <Input
        aria-label={`Rule ${n} ${label}`}
        width={9}
        placeholder={placeholder}
        value={row[key] ?? ''}
        invalid={!!error}
        onChange={(e) => {
          const v = e.currentTarget.value.trim();
          edit(index, (r) => (v ? (r[key] = v) : delete r[key]));
        }}
      />
    ),
  };
}

function ruleColumns(edit: Edit, errs: FieldErrors, mono: string): Array<Column<ProxyRule>> {
  return [
    {
      header: 'Path',
      validate: (r, i) => localPathError(r.path) ?? errs[`${field(i)}.path`],
      render: ({ row, index, n, error }) => (
        <Input
          aria-label={`Rule ${n} path`}
          className={mono}
          width={24}
          value={row.path}
          invalid={!!error}
          onChange={(e) => {
            const v = e.currentTarget.value;
            edit(index, (r) => (r.path = v));
          }}
        />
      ),
    },
    {
      header: 'Methods',
      validate: (r, i) => (r.methods.length === 0 ? 'Pick at least one method' : errs[`${field(i)}.methods`]),
      render: ({ row, index, n }) => (
        <MethodChips
          label={`Rule ${n} methods`}
          methods={HTTP_METHODS}
          value={row.methods}
          onChange={(m) => edit(index, (r) => (r.methods = m))}
        />
      ),
    },
    {
      header: 'Minimum role',
      render: ({ row, index, n }) => (
        <RadioButtonGroup<Role>
          aria-label={`Rule ${n} minimum role`}
          size="sm"
          options={ROLE_OPTIONS}
          value={row.minRole ?? 'Viewer'}
          onChange={(v) => edit(index, (r) => (r.minRole = v))}
        />
      ),
    },
    {
      header: 'Only users',
      render: ({ row, index }) => (
        <TagsInput
          width={20}
          placeholder="login"
          tags={row.users ?? []}
          addOnBlur
          onChange={(t) => edit(index, (r) => (t.length ? (r.users = t) : delete r.users))}
        />
      ),
    },
    durationColumn('Cache TTL', 'cache TTL', 'cacheTTL', 'off', edit),
    {
      header: 'Shared cache',
      render: ({ row, index, n }) => (
        <Switch
          aria-label={`Rule ${n} shared cache`}
          value={!!row.sharedCache}
          onChange={(e) => {
            const v = e.currentTarget.checked;
            edit(index, (r) => (v ? (r.sharedCache = true) : delete r.sharedCache));
          }}
        />
      ),
    },
    durationColumn('Timeout', 'timeout', 'timeout', 'default', edit),
    {
      header: 'GraphQL',
      render: ({ row, index, n }) => (
        <GraphQLRuleFields
          label={`Rule ${n}`}
          value={row.graphql}
          onChange={(g) => edit(index, (r) => (g ? (r.graphql = g) : delete r.graphql))}
        />
      ),
    },
  ];
}

export function ProxySection({ cfg, title = 'Proxy rules' }: { cfg: ConfigApi; title?: string }) {
  const styles = useStyles2(getTableStyles);
  const errs = useFieldErrors();
  const proxy = cfg.jsonData.proxy ?? {};
  const usingDefault = proxy.rules === undefined;

  const setRules = (fn: (rules: ProxyRule[]) => void) =>
    cfg.update((jd) => {
      jd.proxy = jd.proxy ?? {};
      jd.proxy.rules = jd.proxy.rules ?? [];
      fn(jd.proxy.rules);
    });
  const edit: Edit = (i, fn) => setRules((rs) => fn(rs[i]));
  // The backend's messages for fields of a rule that have no column of their own (e.g. users).
  const otherErrors = (_: ProxyRule, i: number) => {
    const f = field(i);
    return fieldErrorsUnder(errs, f)
      .filter(([k]) => k !== `${f}.path` && k !== `${f}.methods`)
      .map(([k, m]) => `${k}: ${m}`);
  };

  return (
    <Section
      title={title}
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
        <EditableTable<ProxyRule>
          label="Proxy rules"
          rows={proxy.rules ?? []}
          columns={ruleColumns(edit, errs, styles.mono)}
          rowTestId={(_, i) => `proxy-rule-${i + 1}`}
          rowErrors={otherErrors}
          empty={
            <Alert severity="info" title="No rules: every proxy call is refused">
              Add a rule to allow paths, or restore the default.
            </Alert>
          }
          addLabel="Add rule"
          onAdd={() => setRules((rs) => rs.push({ path: '/', methods: ['GET'], minRole: 'Viewer' }))}
          onRemove={(i) => setRules((rs) => rs.splice(i, 1))}
          removeLabel={(n) => `Remove rule ${n}`}
          actions={
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
          }
        />
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
