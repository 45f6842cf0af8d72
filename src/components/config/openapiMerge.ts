import { OpenAPIImportProposal, ProposedAction, ProposedRule } from '../../types/api';
import { ActionSettings, KnownQueryPath, ProxyRule, RelayJsonData } from '../../types/settings';

/** What the admin picked from a proposal, by index into its rules and actions. */
export interface Selection {
  rules: Set<number>;
  actions: Set<number>;
}

export interface MergeResult {
  added: { rules: number; actions: number; queries: number };
  /** Picked entries left out because jsonData already has them. */
  skipped: string[];
}

const ruleKey = (r: { path: string; methods: string[]; minRole?: string }) =>
  `${r.path} ${[...r.methods].sort().join(',')} ${r.minRole ?? 'Viewer'}`;

/** A proposed rule as jsonData holds it (the operationId and template are the proposal's only). */
export function toProxyRule(r: ProposedRule): ProxyRule {
  return { path: r.path, methods: [...r.methods], minRole: r.minRole };
}

/** A proposed action as jsonData holds it. */
export function toAction(a: ProposedAction, upstream?: string): ActionSettings {
  const { operationId: _, upstream: __, ...rest } = a;
  return upstream ? { ...rest, upstream } : rest;
}

/**
 * Merges the picked rules and actions into jsonData (mutated: configApi's update clones it): rules into the
 * upstream's own proxy.rules (the default one's at the top), actions calling that upstream, and the proposal's query
 * paths into jsonData.openapi.queries for the query editor. Nothing is added twice: a rule equal in path, methods and
 * role to one already there, an action with a name already taken, a query path already known are skipped.
 */
export function mergeProposal(
  jd: RelayJsonData,
  p: OpenAPIImportProposal,
  pick: Selection,
  upstream?: string
): MergeResult {
  const res: MergeResult = { added: { rules: 0, actions: 0, queries: 0 }, skipped: [] };
  const target = upstream ? jd.upstreams?.find((u) => u.name === upstream) : undefined;
  if (upstream && !target) {
    throw new Error(`No upstream named ${upstream} in these settings`);
  }
  const proxyOwner: { proxy?: RelayJsonData['proxy'] } = target ?? jd;
  const pickedRules = p.rules.filter((_, i) => pick.rules.has(i));
  if (pickedRules.length > 0) {
    proxyOwner.proxy = proxyOwner.proxy ?? {};
    // Absent rules mean the backend's default (Viewers may read everything): adding rules replaces that default,
    // so the editor starts from an explicit empty list, which is what the admin sees.
    const rules = (proxyOwner.proxy.rules = proxyOwner.proxy.rules ?? []);
    const have = new Set(rules.map(ruleKey));
    for (const r of pickedRules) {
      const k = ruleKey(r);
      if (have.has(k)) {
        res.skipped.push(`rule ${r.methods.join(' ')} ${r.path}`);
        continue;
      }
      have.add(k);
      rules.push(toProxyRule(r));
      res.added.rules++;
    }
  }
  const pickedActions = p.actions.filter((_, i) => pick.actions.has(i));
  if (pickedActions.length > 0) {
    const actions = (jd.actions = jd.actions ?? []);
    const names = new Set(actions.map((a) => a.name));
    for (const a of pickedActions) {
      if (names.has(a.name)) {
        res.skipped.push(`action ${a.name}`);
        continue;
      }
      names.add(a.name);
      actions.push(toAction(a, upstream));
      res.added.actions++;
    }
  }
  if (p.queries.length > 0) {
    const known = ((jd.openapi = jd.openapi ?? {}).queries = jd.openapi.queries ?? []);
    for (const q of p.queries) {
      const entry: KnownQueryPath = { path: q.template ?? q.path, root: q.root, fields: q.fields };
      if (upstream) {
        entry.upstream = upstream;
      }
      const i = known.findIndex((k) => k.path === entry.path && (k.upstream ?? '') === (upstream ?? ''));
      if (i >= 0) {
        known[i] = entry; // the newer description wins
      } else {
        known.push(entry);
        res.added.queries++;
      }
    }
  }
  return res;
}
