import { TemplateSrv } from '@grafana/runtime';

/**
 * Grafana's global variables that Relay's backend expands itself, per evaluation (pkg/query/macros.go): the time
 * range, the interval, the user, the data source and the org. In a panel the frontend may replace them too (same
 * values), but a query that is *copied* out of a panel — "New alert rule" from a panel, Explore from a panel — must
 * keep them, or the panel's time range and the creator's login would be frozen into an alert rule that evaluates
 * over its own range, as no user.
 */
const BACKEND_MACRO =
  /\$__(?:from|to|interval_ms|interval|range_ms|range_s|range|org)\b|\$\{__(?:from|to|interval_ms|interval|range_ms|range_s|range|user|ds|org)(?:[.:][^}]*)?\}/g;
const KEPT = /\u0000(\d+)\u0000/g;

/** t, except that replace leaves the backend's macros as they are written (dashboard variables are replaced). */
export function keepingBackendMacros(t: TemplateSrv): TemplateSrv {
  const replace: TemplateSrv['replace'] = (target, scopedVars, format) => {
    if (!target) {
      return t.replace(target, scopedVars, format);
    }
    const kept: string[] = [];
    // A NUL-delimited index cannot be a variable reference, and formats only touch variable values.
    const masked = target.replace(BACKEND_MACRO, (m) => `\u0000${kept.push(m) - 1}\u0000`);
    return t.replace(masked, scopedVars, format).replace(KEPT, (_, i) => kept[Number(i)]);
  };
  return Object.assign(Object.create(t), { replace });
}
