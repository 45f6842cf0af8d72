import React from 'react';
import { DataFrame, DataQuery } from '@grafana/data';
import { Alert, Stack, Text } from '@grafana/ui';

import { Exchange } from '../backendSrv';

interface Props {
  query: DataQuery;
  frames: DataFrame[];
  exchanges: Exchange[];
}

const pretty = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** The executed pipeline is JSON in Relay's frames; shown indented when it parses. */
function executed(s: string) {
  try {
    return pretty(JSON.parse(s));
  } catch {
    return s;
  }
}

/**
 * What is known about how the result was made, and from where: the call the frontend sent to Grafana's
 * /api/ds/query, the upstream request the query describes, and what the backend reports in each frame's meta.
 */
export function Explain({ query, frames, exchanges }: Props) {
  const q = query as DataQuery & Record<string, unknown>;
  const upstream = { method: q.method ?? 'GET', path: q.path, params: q.params, pagination: q.pagination };
  return (
    <Stack direction="column" gap={2}>
      {exchanges.map((e, i) => (
        <section key={i} aria-label="Request to the dev host">
          <Text element="h4">{`${e.method} ${e.url} → HTTP ${e.status} in ${Math.round(e.durationMs)} ms`}</Text>
          <pre>{pretty(e.requestBody)}</pre>
        </section>
      ))}
      <section aria-label="Upstream request">
        <Text element="h4">Upstream request, as the query describes it</Text>
        <pre>{pretty(upstream)}</pre>
      </section>
      {frames.map((f, i) => (
        <section key={i} aria-label={`Frame ${i + 1} meta`}>
          <Text element="h4">{`Frame ${i + 1}${f.name ? ` “${f.name}”` : ''}: ${f.length} rows, ${f.fields.length} fields`}</Text>
          <Text color="secondary" variant="bodySmall">
            {f.fields.map((fl) => `${fl.name}: ${fl.type}`).join(' · ')}
          </Text>
          {f.meta?.notices?.map((n, j) => (
            <Alert
              key={j}
              severity={n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warning' : 'info'}
              title={n.text}
            />
          ))}
          {f.meta?.executedQueryString && (
            <>
              <Text variant="bodySmall">Pipeline the backend ran (frame meta executedQueryString):</Text>
              <pre data-testid={`executed-${i + 1}`}>{executed(f.meta.executedQueryString)}</pre>
            </>
          )}
        </section>
      ))}
      <Text color="secondary" variant="bodySmall">
        Relay does not report the upstream calls it made for a query (how many pages, their status and timing), and the
        dev host cannot observe them: the plugin process calls the upstream directly. The upstream request above is the
        query&apos;s own description; pagination may turn it into several calls.
      </Text>
    </Stack>
  );
}
