import { DataQuery } from '@grafana/schema';

import { REGISTRY_COLUMN_TYPES, REGISTRY_FORMATS, REGISTRY_STEP_TYPES } from '../api/registry.gen';

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
export type AggregateOp = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'first' | 'last';

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

export type Step = FilterStep | ComputeStep | RenameStep | SortStep | LimitStep | GroupByStep | JqStep;
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

export type PaginationMode = 'none' | 'offset' | 'page' | 'cursor' | 'link';

/** Pagination of the upstream call (pkg/query Pagination); which options apply depends on mode. */
export interface Pagination {
  mode: PaginationMode;
  maxPages?: number;
  offsetParam?: string;
  limitParam?: string;
  pageSize?: number;
  pageParam?: string;
  startPage?: number;
  cursorParam?: string;
  cursorPath?: string;
  nextPath?: string;
}

export type QueryFormat = 'table' | 'timeseries';

export interface RelayQuery extends DataQuery {
  method?: string;
  path?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  pipeline?: Pipeline;
  format?: QueryFormat;
  pagination?: Pagination;
}

export const QUERY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const DEFAULT_QUERY: Partial<RelayQuery> = {
  method: 'GET',
  path: '',
  format: 'table',
  pipeline: { format: 'json' },
};
