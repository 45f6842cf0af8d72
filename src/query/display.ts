import { Pipeline, RelayQuery } from '../types/query';
import { hasInlineData } from './model';

const MAX = 160;

/**
 * One readable line for a query, where Grafana lists queries as text (query history, the alert rule list,
 * dashboard search results): the source, then what the pipeline does. E.g.
 *   billing: GET /invoices · cursor pages · rows at items · filter, groupBy · time series
 */
export function queryDisplayText(q: RelayQuery): string {
  const parts: string[] = [];
  if (hasInlineData(q)) {
    parts.push('Inline data');
  } else if (q.graphql?.query?.trim()) {
    const op = q.graphql.operationName || /^\s*(?:query|mutation)\s+(\w+)/.exec(q.graphql.query)?.[1];
    parts.push(`GraphQL${op ? ` ${op}` : ''} ${q.path || '/'}`.trim());
  } else {
    parts.push(`${(q.method || 'GET').toUpperCase()} ${q.path || '/'}`);
  }
  if (q.upstream) {
    parts[0] = `${q.upstream}: ${parts[0]}`;
  }
  if (q.pagination && q.pagination.mode !== 'none') {
    parts.push(q.pagination.mode === 'list' ? 'one request per value' : `${q.pagination.mode} pages`);
  }
  parts.push(...pipelineText(q.pipeline));
  if (q.format && q.format !== 'table') {
    parts.push(q.format === 'timeseries' ? 'time series' : q.format);
  }
  const line = parts.join(' · ');
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

function pipelineText(p: Pipeline | undefined): string[] {
  if (!p) {
    return [];
  }
  const out: string[] = [];
  if (p.format && p.format !== 'json') {
    out.push(p.format.toUpperCase());
  }
  if (p.root?.trim()) {
    out.push(p.rootSyntax === 'jq' ? `jq ${p.root.trim()}` : `rows at ${p.root.trim()}`);
  }
  if (p.steps?.length) {
    out.push(p.steps.map((s) => s.type).join(', '));
  }
  return out;
}
