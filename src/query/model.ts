import { Column, Pipeline, RelayQuery, SortKey, Step } from '../types/query';

/**
 * The backend decodes pipelines strictly (unknown or misplaced fields are
 * errors), so the editors keep the model clean: empty strings and lists are
 * dropped, CSV options only accompany csv/auto formats, each step carries only
 * the fields of its type.
 */
export function cleanPipeline(p: Pipeline | undefined): Pipeline {
  if (!p) {
    return {};
  }
  const out: Pipeline = {};
  if (p.format) {
    out.format = p.format;
  }
  if (p.root?.trim()) {
    out.root = p.root.trim();
  }
  // jq roots read JSON only; the backend refuses rootSyntax with other formats.
  if (p.rootSyntax === 'jq' && out.root && (!p.format || p.format === 'json' || p.format === 'auto')) {
    out.rootSyntax = 'jq';
  }
  if (p.csv && (p.format === 'csv' || p.format === 'auto')) {
    const csv = dropEmpty({ delimiter: p.csv.delimiter, header: p.csv.header, comment: p.csv.comment });
    if (Object.keys(csv).length) {
      out.csv = csv;
    }
  }
  const columns = (p.columns ?? []).filter((c) => c.name.trim() !== '').map(cleanColumn);
  if (columns.length) {
    out.columns = columns;
  }
  const steps = (p.steps ?? []).map(cleanStep);
  if (steps.length) {
    out.steps = steps;
  }
  if (p.shape && p.shape !== 'table') {
    out.shape = p.shape;
  }
  return out;
}

function cleanColumn(c: Column): Column {
  return dropEmpty({
    name: c.name.trim(),
    selector: c.selector?.trim(),
    type: c.type,
    timeFormat: c.timeFormat,
    default: c.default,
    enum: c.type === 'enum' && c.enum && Object.keys(c.enum).length ? c.enum : undefined,
    timezone: c.timezone?.trim(),
  }) as Column;
}

export function cleanStep(s: Step): Step {
  switch (s.type) {
    case 'filter':
      return { type: 'filter', expr: s.expr ?? '' };
    case 'compute':
      return { type: 'compute', name: s.name ?? '', expr: s.expr ?? '' };
    case 'rename':
      return s.map && !s.from ? { type: 'rename', map: s.map } : { type: 'rename', from: s.from ?? '', to: s.to ?? '' };
    case 'sort':
      return {
        type: 'sort',
        by: sortKeys(s.by)
          .filter((k) => k.field)
          .map((k) => (k.desc ? { field: k.field, desc: true } : { field: k.field })),
      };
    case 'limit':
      return dropEmpty({ type: 'limit', count: s.count ?? 0, offset: s.offset || undefined }) as Step;
    case 'groupBy': {
      const out: Step = {
        type: 'groupBy',
        by: sortKeys(s.by)
          .map((k) => k.field)
          .filter(Boolean),
        aggregates: (s.aggregates ?? []).map((a) => dropEmpty({ op: a.op, field: a.field, as: a.as }) as typeof a),
      };
      if (s.timeBucket?.field && s.timeBucket.interval) {
        out.timeBucket = { field: s.timeBucket.field, interval: s.timeBucket.interval };
      }
      return out;
    }
    case 'jq':
      return { type: 'jq', expr: s.expr ?? '' };
    default:
      // A step type with nothing to clean (its editor keeps only its own fields).
      return s;
  }
}

/**
 * Sort and groupBy keys are a field name or {field, desc} in the backend's
 * JSON; saved queries may hold either form.
 */
export function sortKeys(by: unknown): SortKey[] {
  if (!Array.isArray(by)) {
    return [];
  }
  return by.map((k) => (typeof k === 'string' ? { field: k } : { field: String(k?.field ?? ''), desc: !!k?.desc }));
}

/** Whether the query reads inline data instead of calling the upstream. */
export function hasInlineData(q: RelayQuery): boolean {
  return q.data !== undefined && q.data !== null && q.data !== '';
}

/** The query as the backend should receive it. */
export function cleanQuery(q: RelayQuery): RelayQuery {
  const out: RelayQuery = { ...q, pipeline: cleanPipeline(q.pipeline) };
  const params = nonEmptyMap(q.params);
  const headers = nonEmptyMap(q.headers);
  if (params) {
    out.params = params;
  } else {
    delete out.params;
  }
  if (headers) {
    out.headers = headers;
  } else {
    delete out.headers;
  }
  if (!q.body?.trim() || q.bodyType) {
    delete out.body;
  }
  // A form or multipart body: its rows with a key; the backend sends it with POST, PUT, PATCH or DELETE only.
  const rows = (q.bodyForm ?? []).filter((r) => r.key.trim() !== '');
  if (q.bodyType && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(q.method ?? '')) {
    out.bodyForm = rows;
  } else {
    delete out.bodyType;
    delete out.bodyForm;
  }
  for (const k of ['cacheTTL', 'staleWhileRevalidate'] as const) {
    const v = q[k]?.trim();
    if (v) {
      out[k] = v;
    } else {
      delete out[k];
    }
  }
  // The editor keeps the other sources' fields while switching; only the chosen one is sent.
  const source = q.source ?? (q.graphql ? 'graphql' : hasInlineData(q) ? 'inline' : 'http');
  if (source !== 'graphql') {
    delete out.graphql;
  } else {
    delete out.bodyType;
    delete out.bodyForm;
  }
  if (source !== 'inline' || !hasInlineData(q)) {
    delete out.data;
  }
  delete out.source;
  return out;
}

function nonEmptyMap<V>(m?: Record<string, V>): Record<string, V> | undefined {
  if (!m) {
    return undefined;
  }
  const entries = Object.entries(m).filter(([k]) => k.trim() !== '');
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function dropEmpty<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== '' && v !== null) {
      out[k] = v;
    }
  }
  return out as Partial<T>;
}
