import { DataQuery } from '@grafana/schema';

import { REGISTRY_COLUMN_TYPES, REGISTRY_FORMATS, REGISTRY_STEP_TYPES } from '../api/registry.gen';
import { PAGINATION_MODES as PAGINATION_MODE_NAMES } from '../api/settings.gen';

/**
 * The query model and pipeline, mirroring the backend (pkg/transform Pipeline,
 * pkg/query). The backend decodes pipelines strictly, so nothing UI-only may
 * be stored in them: see cleanPipeline in ../query/model.ts.
 */
/** The backend's formats, column types and step types (registry.gen.ts is generated from pkg/transform). */
export type PipelineFormat = (typeof REGISTRY_FORMATS)[number];
export type ColumnType = (typeof REGISTRY_COLUMN_TYPES)[number];
export type RootSyntax = 'gjson' | 'jq';
export type Shape = 'table' | 'timeseries-long' | 'timeseries-wide';
export type AggregateOp = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'first' | 'last' | 'distinct';

export interface CsvOptions {
  delimiter?: string;
  header?: boolean;
  comment?: string;
}

export interface Column {
  name: string;
  selector?: string;
  type?: ColumnType;
  timeFormat?: string;
  default?: string | number | boolean;
  /** Type enum: value → number. */
  enum?: Record<string, number>;
  /** IANA zone for times without an offset. */
  timezone?: string;
}

export interface SortKey {
  field: string;
  desc?: boolean;
}

export interface FilterStep {
  type: 'filter';
  expr: string;
}
export interface ComputeStep {
  type: 'compute';
  name: string;
  expr: string;
}
export interface RenameStep {
  type: 'rename';
  from?: string;
  to?: string;
  /** Several renames at once; the editor keeps it when a saved query has one. */
  map?: Record<string, string>;
}
export interface SortStep {
  type: 'sort';
  by: SortKey[];
}
export interface LimitStep {
  type: 'limit';
  count: number;
  offset?: number;
}
export interface Aggregate {
  op: AggregateOp;
  field?: string;
  as?: string;
}
export interface GroupByStep {
  type: 'groupBy';
  by: string[];
  timeBucket?: { field: string; interval: string };
  aggregates: Aggregate[];
}

export interface JqStep {
  type: 'jq';
  expr: string;
}
/** Keep fields (in this order) or drop some. */
export interface SelectStep {
  type: 'select';
  fields?: string[];
  drop?: string[];
}
/** One row per element of an array field. */
export interface ExpandStep {
  type: 'expand';
  field: string;
  as?: string;
}

export type Step =
  FilterStep | ComputeStep | RenameStep | SelectStep | SortStep | LimitStep | GroupByStep | ExpandStep | JqStep;
export type StepType = (typeof REGISTRY_STEP_TYPES)[number];
/** Every registered step type has an interface in Step, and Step has no other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const STEP_UNION_MATCHES_REGISTRY: Same<Step['type'], StepType> = true;

export interface Pipeline {
  format?: PipelineFormat;
  root?: string;
  rootSyntax?: RootSyntax;
  csv?: CsvOptions;
  columns?: Column[];
  steps?: Step[];
  shape?: Shape;
}

/** Generated from query.PaginationModes() (pkg/query/pagination_modes.go). */
export type PaginationMode = (typeof PAGINATION_MODE_NAMES)[number];

/** Where the offset, page, cursor or list value goes. */
export type PaginationTarget = 'query' | 'header' | 'body' | 'variable';

/** Pagination of the upstream call (pkg/query Pagination); which options apply depends on mode. */
export interface Pagination {
  mode: PaginationMode;
  in?: PaginationTarget;
  maxPages?: number;
  offsetParam?: string;
  limitParam?: string;
  pageSize?: number;
  pageParam?: string;
  startPage?: number;
  cursorParam?: string;
  cursorPath?: string;
  /** The next cursor from a response header instead of the body. */
  cursorHeader?: string;
  /** gjson path of a boolean that ends cursor paging when false (GraphQL pageInfo.hasNextPage). */
  hasNextPath?: string;
  nextPath?: string;
  /** list mode: one request per value. */
  values?: string[];
  valueParam?: string;
  valueColumn?: string;
  concurrency?: number;
}

export interface GraphQLQuery {
  query: string;
  /** A JSON object, as text (the editor's field) or as an object. */
  variables?: string | Record<string, unknown>;
  operationName?: string;
}

/** Which kind of source the editor shows; the backend reads graphql and data themselves. */
export type QuerySource = 'http' | 'graphql' | 'inline';

/** Field mapping of a variable query: option text, value, and extra properties (${var.prop}). */
export interface VariableMapping {
  text?: string;
  value?: string;
  properties?: Record<string, string>;
}

/** Field mapping of an annotation query onto Grafana's annotation fields. */
export interface AnnotationMapping {
  time?: string;
  timeEnd?: string;
  title?: string;
  text?: string;
  tags?: string;
}

export type QueryFormat = 'table' | 'timeseries' | 'logs' | 'trace' | 'nodegraph';

export type BodyType = 'form' | 'multipart';

/** One row of a form or multipart body; a key may repeat. */
export interface FormField {
  key: string;
  value: string;
}

export interface RelayQuery extends DataQuery {
  /** A named upstream of the data source (jsonData.upstreams); absent: the data source's own URL. */
  upstream?: string;
  method?: string;
  path?: string;
  params?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  /** A form (application/x-www-form-urlencoded) or multipart body built from bodyForm's rows instead of body. */
  bodyType?: BodyType;
  /** The rows of a form or multipart body; each value is interpolated on its own. */
  bodyForm?: FormField[];
  /** Inline data instead of an upstream call: text (CSV, NDJSON, JSON) or a JSON value. */
  data?: unknown;
  graphql?: GraphQLQuery;
  /** UI only: which source editor is shown. */
  source?: QuerySource;
  /** How a multi-value variable fills a query parameter: comma-joined (default) or repeated. */
  multiValue?: 'csv' | 'repeat';
  pipeline?: Pipeline;
  format?: QueryFormat;
  pagination?: Pagination;
  /**
   * Keep the upstream answer this long in Relay's query cache (a Grafana duration, e.g. "30s", "5m"); absent: the
   * proxy rule's cacheTTL for the path (dashboard queries only); "0s": never cached.
   */
  cacheTTL?: string;
  /** After cacheTTL, serve the old answer once more while one background refresh fetches the new one. */
  staleWhileRevalidate?: string;
  /** Error statuses read as data: codes ("404") or classes ("5xx"); 2xx always is. */
  acceptStatus?: string[];
  /** Columns added to every row: status, durationMs, url, header:<Name>. */
  responseFields?: string[];
  /** Variable queries only. */
  variable?: VariableMapping;
  /** Annotation queries only. */
  annotation?: AnnotationMapping;
}

export const QUERY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const DEFAULT_QUERY: Partial<RelayQuery> = {
  method: 'GET',
  path: '',
  format: 'table',
  pipeline: { format: 'json' },
};
