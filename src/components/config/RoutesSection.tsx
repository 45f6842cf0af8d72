import React from 'react';
import { RadioButtonGroup, Switch, TagsInput, Text, useStyles2 } from '@grafana/ui';

import { RouteInfo } from '../../api/openapi';
import { Role, RouteOverride, ROLES } from '../../types/settings';
import { ResourceStatus } from '../common/ResourceStatus';
import { Section } from '../common/Section';
import { getTableStyles } from '../common/styles';
import { ResourceState } from '../common/useResource';
import { ConfigApi } from './configApi';
import { useFieldErrorsUnder } from './health';

/** Route names of the backend's table (pkg/resources/table.go), for when the saved data source cannot be asked. */
export const KNOWN_ROUTES = ['openapi', 'info', 'audit', 'proxy', 'transform', 'schema', 'actions.list', 'actions.run'];

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
      <table className={styles.table} aria-label="Route permissions">
        <thead>
          <tr>
            <th>Route</th>
            <th>Path</th>
            <th>Current minimum</th>
            <th>Minimum role</th>
            <th>Only users</th>
            <th>Require API key</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const info = listed.find((r) => r.name === name);
            const o = overrides[name] ?? {};
            return (
              <tr key={name} data-testid={`route-${name}`}>
                <td className={styles.mono}>{name}</td>
                <td className={styles.mono}>
                  <Text color="secondary" variant="bodySmall">
                    {info ? `${info.methods.join(', ')} ${info.path}` : '—'}
                  </Text>
                </td>
                <td>{info?.minRole ?? '—'}</td>
                <td>
                  <RadioButtonGroup<Role | ''>
                    aria-label={`${name} minimum role`}
                    size="sm"
                    options={ROLE_CHOICES}
                    value={o.minRole ?? ''}
                    onChange={(v) => setOverride(name, (x) => (v ? (x.minRole = v) : delete x.minRole))}
                  />
                </td>
                <td>
                  <TagsInput
                    width={22}
                    placeholder="login"
                    tags={o.users ?? []}
                    addOnBlur
                    onChange={(t) => setOverride(name, (x) => (t.length ? (x.users = t) : delete x.users))}
                  />
                </td>
                <td>
                  <Switch
                    aria-label={`${name} requires API key`}
                    value={!!o.apiKeyRequired}
                    onChange={(e) => {
                      const v = e.currentTarget.checked;
                      setOverride(name, (x) => (v ? (x.apiKeyRequired = true) : delete x.apiKeyRequired));
                    }}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {errors.map(([f, m]) => (
        <div key={f} className={styles.error}>{`${f}: ${m}`}</div>
      ))}
    </Section>
  );
}
