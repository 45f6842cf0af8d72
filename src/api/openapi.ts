import { isRecord } from './errors';
import { OpenAPIDocument } from '../types/api';

export interface RouteInfo {
  /** The stable route name: operationId without the method suffix multi-method routes get. */
  name: string;
  path: string;
  methods: string[];
  minRole?: string;
  apiKeyRequired?: boolean;
  summary?: string;
}

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

/** Routes of Relay's resource API, from its OpenAPI document (generated from the route table). */
export function routesFromOpenAPI(doc: OpenAPIDocument | undefined): RouteInfo[] {
  const byName = new Map<string, RouteInfo>();
  for (const [path, item] of Object.entries(doc?.paths ?? {})) {
    if (!isRecord(item) || typeof item['x-relay-upstream'] === 'string') {
      continue; // a named upstream's /proxy/<name>/{path}: the proxy route's policy, not a route of its own
    }
    const ops = METHODS.filter((m) => isRecord(item[m]));
    for (const m of ops) {
      const op = item[m] as Record<string, unknown>;
      let name = typeof op.operationId === 'string' ? op.operationId : `${m} ${path}`;
      if (ops.length > 1 && name.endsWith(`.${m}`)) {
        name = name.slice(0, -(m.length + 1));
      }
      if (name.startsWith('action.')) {
        continue; // one documented path per named action: its policy lives in the action, not in route overrides
      }
      const r = byName.get(name) ?? { name, path, methods: [] };
      r.methods.push(m.toUpperCase());
      if (typeof op['x-relay-min-role'] === 'string') {
        r.minRole = op['x-relay-min-role'];
      }
      if (op['x-relay-api-key-required'] === true) {
        r.apiKeyRequired = true;
      }
      if (typeof op.summary === 'string') {
        r.summary = op.summary;
      }
      byName.set(name, r);
    }
  }
  return [...byName.values()];
}

/**
 * Upstream paths the document advertises: the proxy rules listed on the proxy
 * route (x-relay-proxy-rules) and any documented /proxy/... paths.
 */
export function upstreamPathsFromOpenAPI(doc: OpenAPIDocument | undefined): Array<{ path: string; methods: string[] }> {
  const out: Array<{ path: string; methods: string[] }> = [];
  for (const [path, item] of Object.entries(doc?.paths ?? {})) {
    if (!isRecord(item)) {
      continue;
    }
    const rules = item['x-relay-proxy-rules'];
    if (Array.isArray(rules)) {
      for (const r of rules) {
        if (isRecord(r) && typeof r.path === 'string') {
          out.push({ path: r.path, methods: Array.isArray(r.methods) ? r.methods.map(String) : [] });
        }
      }
    }
    if (path.startsWith('/proxy/') && !path.includes('{')) {
      out.push({
        path: path.slice('/proxy'.length),
        methods: METHODS.filter((m) => isRecord(item[m])).map((m) => m.toUpperCase()),
      });
    }
  }
  return out;
}
