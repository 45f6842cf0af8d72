import { DataFrameJSON } from '@grafana/data';

import { BodyType, ForEach, FormField, GraphQLQuery, Pagination, Pipeline, QueryFormat } from './query';
import { ActionParam, ActionSettings, Role } from './settings';

/**
 * Types of Relay's resource API (GET/POST /api/datasources/uid/<uid>/resources/...).
 * They must match the backend's OpenAPI document; ../api/contract.ts describes
 * them at run time and contract.test.ts checks them against the committed
 * snapshot pkg/resources/testdata/openapi.golden.json.
 */

/** Every Relay error response. */
export interface ApiErrorBody {
  error: string;
  code: string;
  status: number;
}

export type ApiRole = 'None' | Role;

export interface ProxyRuleView {
  path?: string;
  methods?: string[];
  minRole?: ApiRole;
  cacheTTL?: string;
}

export interface RouteView {
  name?: string;
  path?: string;
  methods?: string[];
  minRole?: ApiRole;
  apiKeyRequired?: boolean;
}

export interface InfoResponse {
  plugin: { id?: string; version?: string; sdkVersion?: string };
  datasource: { uid?: string; name?: string };
  upstream?: { origin?: string; authType?: string };
  features?: string[];
  caller: { login?: string; role?: ApiRole; orgId?: number };
  routes: RouteView[];
  proxyRules?: ProxyRuleView[];
  /** Names of the actions the caller may run. */
  actions?: string[];
  /** Listed when the data source has named upstreams (pkg/authz UpstreamView). */
  upstreams?: UpstreamView[];
}

export interface UpstreamView {
  name: string;
  default?: boolean;
  origin: string;
  authType: string;
  proxyPath: string;
  proxyRules: ProxyRuleView[];
}

/** The upstream request of a transform: the query model without its pipeline (pkg/query Query). */
export interface TransformSource {
  /** A named upstream; absent: the data source's own. */
  upstream?: string;
  method?: string;
  path: string;
  params?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  /** A form or multipart body built from bodyForm's rows instead of body. */
  bodyType?: BodyType;
  bodyForm?: FormField[];
  format?: QueryFormat;
  graphql?: GraphQLQuery;
  pagination?: Pagination;
  cacheTTL?: string;
  staleWhileRevalidate?: string;
  acceptStatus?: string[];
  responseFields?: string[];
  forEach?: ForEach;
}

/** Another query a join, append or forEach of the transform reads, by name (as a panel's other query). */
export interface TransformInput {
  data?: unknown;
  source?: TransformSource;
  pipeline?: Pipeline;
}

export interface TransformRequest {
  /** Inline text or JSON to transform instead of calling the upstream. */
  data?: unknown;
  source?: TransformSource;
  pipeline: Pipeline;
  /** The other queries join, append and forEach steps read, by refId. */
  inputs?: Record<string, TransformInput>;
}

export interface Notice {
  severity?: string;
  text?: string;
}

/** How Relay's query cache took part in a preview (only for a query that caches). */
export type CacheResult = 'hit' | 'remote_hit' | 'miss' | 'coalesced' | 'stale';

export interface CacheReport {
  /** The effective TTL (Go duration text, e.g. "30s", "5m0s"). */
  ttl: string;
  /** "query", or "rule <path>" when the proxy rule's cacheTTL applies. */
  from: string;
  staleWhileRevalidate?: string;
  /** Entries are kept per user (the upstream sees who calls). */
  perUser: boolean;
  result?: CacheResult;
  ageSeconds?: number;
}

export interface TransformResponse {
  frames: DataFrameJSON[];
  /** Rows before any limit step, when the backend reports it. */
  rows?: number;
  notices?: Notice[];
  cache?: CacheReport;
}

export interface SchemaField {
  path: string;
  type: string;
}

export interface SchemaRoot {
  root: string;
  count: number;
}

export interface SchemaResponse {
  fields: SchemaField[];
  root?: string;
  sampleRows?: number;
  /** XML and HTML: candidate roots (repeated element paths, table row selectors). */
  roots?: SchemaRoot[];
}

export interface ActionView {
  name: string;
  method: string;
  title?: string;
  description?: string;
  minRole?: ApiRole;
  apiKeyRequired?: boolean;
  confirm?: string;
  params?: ActionParam[];
}

export interface ActionListResponse {
  actions: ActionView[];
}

export interface ActionParamsRequest {
  params?: Record<string, unknown>;
}

export interface ActionResult {
  action: string;
  /** Absent for a dry run. */
  status?: number;
  headers?: Record<string, unknown>;
  body?: unknown;
  bodyEncoding?: 'base64';
  truncated?: boolean;
  replayed?: boolean;
  dryRun?: boolean;
  durationMs?: number;
  request?: { method: string; url: string; headers?: Record<string, unknown>; body?: unknown };
}

/** Minimal OpenAPI 3 document shape the editors read. */
export interface OpenAPIDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenAPIOperation | unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

export interface OpenAPIOperation {
  operationId?: string;
  summary?: string;
  'x-relay-min-role'?: string;
  'x-relay-api-key-required'?: boolean;
}

/** POST /openapi/import: fetch the document from an upstream, or paste it. */
export interface OpenAPIImportRequest {
  upstream?: string;
  path?: string;
  /** A JSON object, or YAML/JSON text. */
  document?: unknown;
  basePath?: string;
}

/** A proposed proxy rule: jsonData.proxy.rules' form plus the operation it comes from. */
export interface ProposedRule {
  path: string;
  methods: string[];
  minRole: Role;
  operationId: string;
  /** The operation's path when the rule had to widen it (/items/{id} → /items/*). */
  template?: string;
}

/** A proposed named action: jsonData.actions' form plus its operationId. */
export interface ProposedAction extends ActionSettings {
  operationId: string;
}

export interface ProposedField {
  name: string;
  type: string;
}

/** A GET operation answering JSON: its rows' root and typed fields. */
export interface ProposedQuery {
  path: string;
  template?: string;
  operationId: string;
  summary?: string;
  root: string;
  fields: ProposedField[];
  params?: string[];
}

export interface ImportNote {
  method?: string;
  path?: string;
  operationId?: string;
  message: string;
}

export interface OpenAPIImportProposal {
  source: { openapi: string; title?: string; version?: string; basePath: string; upstream?: string; bytes: number };
  rules: ProposedRule[];
  actions: ProposedAction[];
  queries: ProposedQuery[];
  notes: ImportNote[];
  stats: { operations?: number; rules?: number; actions?: number; queries?: number };
}
