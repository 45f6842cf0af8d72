import { ProxyRuleView } from '../types/api';
import { RelayQuery } from '../types/query';

/**
 * The query cache as the editor explains it: which TTL a query gets (its own cacheTTL, else the proxy rule's for its
 * path, as the backend decides in pkg/query/cache.go) and whether a duration is one the backend reads.
 */

/** Grafana's duration grammar as settings.Duration reads it: "30s", "1m30s", "500ms", "1d", "2w", or seconds. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;

export function isDuration(v: string): boolean {
  const s = v.trim();
  return s === '' || /^\d+(\.\d+)?$/.test(s) || DURATION.test(s);
}

/** Go's duration text for a number of seconds ("30s", "5m0s"), as the backend reports TTLs. */
export function isZeroDuration(v?: string): boolean {
  return !!v && /^0+(\.0+)?([a-zµ]+)?$/.test(v.trim());
}

/**
 * The proxy rule the backend matches for method on path: an exact path, else the longest "/"-ending prefix, else the
 * longest "*" prefix (authz.Rules.Match); GET rules cover HEAD.
 */
export function matchRule(rules: ProxyRuleView[], path: string, method: string): ProxyRuleView | undefined {
  const allows = (r: ProxyRuleView) =>
    (r.methods ?? []).some((m) => m === method || (method === 'HEAD' && m === 'GET'));
  const p = path.split('?')[0];
  const exact = rules.find((r) => r.path === p && allows(r));
  if (exact) {
    return exact;
  }
  const byLength = (a: ProxyRuleView, b: ProxyRuleView) => (b.path?.length ?? 0) - (a.path?.length ?? 0);
  const prefix = rules.filter((r) => r.path?.endsWith('/') && p.startsWith(r.path) && allows(r)).sort(byLength)[0];
  if (prefix) {
    return prefix;
  }
  return rules.filter((r) => r.path?.endsWith('*') && p.startsWith(r.path.slice(0, -1)) && allows(r)).sort(byLength)[0];
}

export interface EffectiveTTL {
  ttl?: string;
  /** "query", or the rule's path. */
  from?: string;
}

/** The TTL a dashboard query gets: its own cacheTTL ("0s" turns caching off), else its GET rule's cacheTTL. */
export function effectiveTTL(query: RelayQuery, rules: ProxyRuleView[]): EffectiveTTL {
  const own = query.cacheTTL?.trim();
  if (own) {
    return isZeroDuration(own) ? {} : { ttl: own, from: 'query' };
  }
  const method = query.method || (query.graphql ? 'POST' : 'GET');
  if ((method !== 'GET' && method !== 'HEAD') || !query.path) {
    return {};
  }
  const rule = matchRule(rules, query.path, method);
  return rule?.cacheTTL ? { ttl: rule.cacheTTL, from: `rule ${rule.path}` } : {};
}
