import { css } from '@emotion/css';
import React, { useMemo, useState } from 'react';
import { dataFrameFromJSON, DataFrame, GrafanaTheme2, QueryResultMetaNotice } from '@grafana/data';
import { Alert, Button, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';

import { RelayError } from '../../api/errors';
import { CacheReport, Notice, TransformResponse } from '../../types/api';
import { ResourceStatus } from '../common/ResourceStatus';

export const PREVIEW_ROWS = 10;

interface Props {
  loading: boolean;
  error?: RelayError;
  value?: TransformResponse;
  onRefresh: () => void;
  idle: boolean;
}

/** The first rows of what POST /transform returns for the query, with the backend's notices. */
export function PreviewPanel({ loading, error, value, onRefresh, idle }: Props) {
  const styles = useStyles2(getStyles);
  const frames = useMemo(() => (value?.frames ?? []).map((f) => dataFrameFromJSON(f)), [value]);
  const [selected, setSelected] = useState(0);
  const frame: DataFrame | undefined = frames[Math.min(selected, frames.length - 1)];
  // The backend reports notices on the response and on frames; show each once.
  const notices = dedupe([
    ...(value?.notices ?? []),
    ...frames.flatMap((f) =>
      (f.meta?.notices ?? []).map((n: QueryResultMetaNotice) => ({ severity: n.severity, text: n.text }))
    ),
  ]);

  return (
    <div className={styles.panel} data-testid="relay-preview" aria-busy={loading}>
      <div className={styles.header}>
        <Text variant="h6">Preview</Text>
        <Stack direction="row" gap={1} alignItems="center">
          {loading && (
            <Text color="secondary" variant="bodySmall">
              Running…
            </Text>
          )}
          <Button size="sm" variant="secondary" icon="sync" onClick={onRefresh} disabled={idle}>
            Refresh
          </Button>
        </Stack>
      </div>
      {idle ? (
        <Text color="secondary" italic>
          Enter a path to preview the rows this query returns.
        </Text>
      ) : (
        <ResourceStatus
          what="preview"
          loading={loading}
          error={error}
          empty={!!value && (frames.length === 0 || frame?.length === 0)}
          emptyText="The query returned no rows."
          onRetry={onRefresh}
        >
          {value?.cache && (
            <Text color="secondary" variant="bodySmall" data-testid="preview-cache">
              {cacheSummary(value.cache)}
            </Text>
          )}
          {notices.map((n, i) => (
            <Alert key={i} severity={noticeSeverity(n.severity)} title={n.text ?? ''} data-testid="preview-notice" />
          ))}
          {frames.length > 1 && (
            <RadioButtonGroup
              size="sm"
              options={frames.map((f, i) => ({ label: f.name || `Frame ${i + 1}`, value: i }))}
              value={Math.min(selected, frames.length - 1)}
              onChange={setSelected}
            />
          )}
          {frame && frame.length > 0 && <FrameTable frame={frame} />}
        </ResourceStatus>
      )}
    </div>
  );
}

function FrameTable({ frame }: { frame: DataFrame }) {
  const styles = useStyles2(getStyles);
  const rows = Math.min(frame.length, PREVIEW_ROWS);
  return (
    <>
      <div className={styles.scroll}>
        <table className={styles.table} aria-label="Preview rows">
          <thead>
            <tr>
              {frame.fields.map((f) => (
                <th key={f.name}>
                  {f.name}
                  <span className={styles.type}>{f.type}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: rows }, (_, r) => (
              <tr key={r}>
                {frame.fields.map((f) => (
                  <td key={f.name}>{formatCell(f.values[r], f.type)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Text color="secondary" variant="bodySmall" data-testid="preview-summary">
        {`${frame.length} row${frame.length === 1 ? '' : 's'}, ${frame.fields.length} field${frame.fields.length === 1 ? '' : 's'}${frame.length > rows ? `; showing the first ${rows}` : ''}`}
      </Text>
    </>
  );
}

/** One line on the query cache: the effective TTL, where it comes from, and how this answer was got. */
export function cacheSummary(c: CacheReport): string {
  const from = c.from === 'query' ? "this query's cacheTTL" : `the proxy ${c.from}`;
  let line = `Cached for ${c.ttl} (${from})`;
  if (c.staleWhileRevalidate) {
    line += `, then served stale up to ${c.staleWhileRevalidate} while refreshing`;
  }
  if (c.perUser) {
    line += ', per user';
  }
  const age = `age ${c.ageSeconds ?? 0}s`;
  switch (c.result) {
    case 'hit':
      return `${line}. This answer was served from the cache (${age}).`;
    case 'remote_hit':
      return `${line}. This answer was served from the cache, fetched by another replica (${age}).`;
    case 'coalesced':
      return `${line}. This answer was shared with an identical query fetched at the same time.`;
    case 'stale':
      return `${line}. This answer was served stale (${age}) while a refresh runs.`;
    case 'miss':
      return `${line}. This answer was fetched from the upstream.`;
  }
  return `${line}.`;
}

function dedupe(notices: Notice[]): Notice[] {
  const seen = new Set<string>();
  return notices.filter((n) => {
    const k = `${n.severity}|${n.text}`;
    return n.text && !seen.has(k) && !!seen.add(k);
  });
}

function formatCell(v: unknown, type: string): string {
  if (v === null || v === undefined) {
    return '—';
  }
  if (type === 'time' && typeof v === 'number') {
    return new Date(v).toISOString();
  }
  if (typeof v === 'object') {
    return JSON.stringify(v);
  }
  return String(v);
}

function noticeSeverity(s?: string): 'info' | 'warning' | 'error' {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'info';
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    marginTop: theme.spacing(1),
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginBottom: theme.spacing(1),
  }),
  scroll: css({ overflowX: 'auto', maxWidth: '100%' }),
  table: css({
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      padding: theme.spacing(0.25, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      whiteSpace: 'nowrap',
    },
    th: { color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium },
    td: { fontFamily: theme.typography.fontFamilyMonospace, color: theme.colors.text.secondary },
  }),
  type: css({ marginLeft: theme.spacing(0.5), color: theme.colors.text.disabled, fontWeight: 'normal' }),
});
