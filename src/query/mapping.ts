import { RelayQuery, RenameStep } from '../types/query';

/**
 * A variable's text/value/property mapping or an annotation's time/title/…
 * mapping, as a rename step at the end of the pipeline: the backend renames
 * the mapped fields to the names Grafana reads (text, value, time, timeEnd,
 * title, text, tags), so the mapping holds wherever the query runs.
 */
export function withMapping(q: RelayQuery, mapping?: object): RelayQuery {
  if (!mapping) {
    return q;
  }
  const map: Record<string, string> = {};
  for (const [target, source] of Object.entries(mapping as Record<string, unknown>)) {
    if (target === 'properties' && source && typeof source === 'object') {
      for (const [prop, field] of Object.entries(source as Record<string, string>)) {
        if (field?.trim() && prop.trim() && field.trim() !== prop.trim()) {
          map[field.trim()] = prop.trim();
        }
      }
    } else if (typeof source === 'string' && source.trim() && source.trim() !== target) {
      map[source.trim()] = target;
    }
  }
  if (!Object.keys(map).length) {
    return q;
  }
  const rename: RenameStep = { type: 'rename', map };
  const pipeline = q.pipeline ?? {};
  return { ...q, pipeline: { ...pipeline, steps: [...(pipeline.steps ?? []), rename] } };
}
