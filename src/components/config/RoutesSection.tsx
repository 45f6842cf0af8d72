import React from 'react';
import { RadioButtonGroup, Switch, TagsInput, Text, useStyles2 } from '@grafana/ui';

import { RouteInfo } from '../../api/openapi';
import { ROUTE_NAMES } from '../../api/settings.gen';
import { Role, RouteOverride, ROLES } from '../../types/settings';
import { Column, EditableTable } from '../common/EditableTable';
import { ResourceStatus } from '../common/ResourceStatus';
import { Section } from '../common/Section';
import { getTableStyles } from '../common/styles';
import { ResourceState } from '../common/useResource';
import { ConfigApi } from './configApi';
import { useFieldErrorsUnder } from './health';

/** Route names of the backend's table (generated), for when the saved data source cannot be asked. */
export const KNOWN_ROUTES: readonly string[] = ROUTE_NAMES;

const ROLE_CHOICES: Array<{ label: string; value: Role | '' }> = [
  { label: 'Default', value: '' },
  ...ROLES.map((r) => ({ label: r, value: r })),
];

interface Props {
  cfg: ConfigApi;
  /** Routes from the saved data source's /openapi.json. */
  routes: ResourceState<RouteInfo[]>;
}

export function RoutesSection({ cfg, routes }: Props) {
  const styles = useStyles2(getTableStyles);
  const overrides = cfg.jsonData.routes ?? {};
  const listed = routes.value ?? [];
  const names = Array.from(
    new Set([...(listed.length ? listed.map((r) => r.name) : KNOWN_ROUTES), ...Object.keys(overrides)])
  );
  const errors = useFieldErrorsUnder('jsonData.routes');

  const setOverride = (name: string, fn: (o: RouteOverride) => void) =>
    cfg.update((jd) => {
      const all = (jd.routes = jd.routes ?? {});
      const o = (all[name] = all[name] ?? {});
      fn(o);
      if (!o.minRole && !o.users?.length && !o.apiKeyRequired) {
        delete all[name];
      }
      if (Object.keys(all).length === 0) {
        delete jd.routes;
      }
    });

  return (
    <Section
      title="Route permissions"
      description="Tighten who may call each of Relay's resource routes. An override can raise a route's minimum role, never lower it below the built-in floor; the backend rejects settings that try."
    >
      <ResourceStatus what="routes" loading={routes.loading} error={routes.error} compact onRetry={routes.reload}>
        {null}
      </ResourceStatus>
      <EditableTable<string>
        label="Route permissions"
        rows={names}
        rowKey={(name) => name}
        rowTestId={(name) => `route-${name}`}
        columns={routeColumns(listed, overrides, setOverride, styles.mono)}
      />
      {errors.map(([f, m]) => (
        <div key={f} className={styles.error}>{`${f}: ${m}`}</div>
      ))}
    </Section>
  );
}

/** One row per route name: what the backend says about it, then the override's editors. */
function routeColumns(
  listed: RouteInfo[],
  overrides: Record<string, RouteOverride>,
  setOverride: (name: string, fn: (o: RouteOverride) => void) => void,
  mono: string
): Array<Column<string>> {
  const info = (name: string) => listed.find((r) => r.name === name);
  const o = (name: string) => overrides[name] ?? {};
  return [
    { header: 'Route', className: mono, render: ({ row }) => row },
    {
      header: 'Path',
      className: mono,
      render: ({ row }) => {
        const i = info(row);
        return (
          <Text color="secondary" variant="bodySmall">
            {i ? `${i.methods.join(', ')} ${i.path}` : '—'}
          </Text>
        );
      },
    },
    { header: 'Current minimum', render: ({ row }) => info(row)?.minRole ?? '—' },
    {
      header: 'Minimum role',
      render: ({ row }) => (
        <RadioButtonGroup<Role | ''>
          aria-label={`${row} minimum role`}
          size="sm"
          options={ROLE_CHOICES}
          value={o(row).minRole ?? ''}
          onChange={(v) => setOverride(row, (x) => (v ? (x.minRole = v) : delete x.minRole))}
        />
      ),
    },
    {
      header: 'Only users',
      render: ({ row }) => (
        <TagsInput
          width={22}
          placeholder="login"
          tags={o(row).users ?? []}
          addOnBlur
          onChange={(t) => setOverride(row, (x) => (t.length ? (x.users = t) : delete x.users))}
        />
      ),
    },
    {
      header: 'Require API key',
      render: ({ row }) => (
        <Switch
          aria-label={`${row} requires API key`}
          value={!!o(row).apiKeyRequired}
          onChange={(e) => {
            const v = e.currentTarget.checked;
            setOverride(row, (x) => (v ? (x.apiKeyRequired = true) : delete x.apiKeyRequired));
          }}
        />
      ),
    },
  ];
}
