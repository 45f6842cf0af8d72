import {
  ActionListResponse,
  ActionParamsRequest,
  ActionResult,
  ActionView,
  ApiErrorBody,
  CacheReport,
  CacheResult,
  InfoResponse,
  Notice,
  ProxyRuleView,
  RouteView,
  SchemaField,
  SchemaResponse,
  SchemaRoot,
  TransformRequest,
  TransformResponse,
  TransformSource,
  UpstreamView,
} from '../types/api';
import {
  AggregateOp,
  BodyType,
  Column,
  ColumnType,
  CsvOptions,
  FormField,
  Pipeline,
  PipelineFormat,
  QueryFormat,
  RootSyntax,
  Shape,
  StepType,
} from '../types/query';
import { REGISTRY_COLUMN_TYPES, REGISTRY_FORMATS, REGISTRY_STEP_TYPES } from './registry.gen';

/**
 * A run-time description of the resource API types in ../types/api.ts, tied to
 * them by the compiler (Spec<T> must list exactly T's keys, with `required`
 * matching each key's optionality), so contract.test.ts can compare the
 * frontend's view of the API with the backend's OpenAPI document.
 */
export type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'any';

export interface FieldSpec {
  kind: Kind;
  required: boolean;
  /** Nested object properties. */
  props?: Record<string, FieldSpec>;
  /** Array item. */
  items?: FieldSpec;
  /** String values the frontend sends or expects; each must be in the schema's enum. */
  enum?: readonly string[];
}

type IsOptional<T, K extends keyof T> = {} extends Pick<T, K> ? true : false;
/** One FieldSpec per key of T; `required` must be true exactly for T's non-optional keys. */
export type Spec<T> = {
  [K in keyof Required<T>]-?: Omit<FieldSpec, 'required'> & { required: IsOptional<T, K> extends true ? false : true };
};
/** Every member of a string union, checked at compile time. */
type AllOf<U extends string, A extends readonly U[]> = [Exclude<U, A[number]>] extends [never]
  ? A
  : { missing: Exclude<U, A[number]> };
const all =
  <U extends string>() =>
  <A extends readonly U[]>(a: AllOf<U, A>) =>
    a as unknown as readonly U[];

const s = <R extends boolean>(required: R, e?: readonly string[]) => ({ kind: 'string' as const, required, enum: e });
const n = <R extends boolean>(required: R) => ({ kind: 'number' as const, required });
const int = <R extends boolean>(required: R) => ({ kind: 'integer' as const, required });
const b = <R extends boolean>(required: R) => ({ kind: 'boolean' as const, required });
const any = <R extends boolean>(required: R) => ({ kind: 'any' as const, required });
const map = <R extends boolean>(required: R) => ({ kind: 'object' as const, required });
const arr = <R extends boolean>(required: R, items: FieldSpec) => ({ kind: 'array' as const, required, items });
const obj = <T>(props: Spec<T>): Record<string, FieldSpec> => props as Record<string, FieldSpec>;
const reqObj = <T>(props: Spec<T>) => ({ kind: 'object' as const, required: true as const, props: obj<T>(props) });
const optObj = <T>(props: Spec<T>) => ({ kind: 'object' as const, required: false as const, props: obj<T>(props) });

// Formats, column types and step types come from the backend's registry (registry.gen.ts, generated and checked by
// pkg/transform's TestFrontendRegistry); contract.test.ts also checks them against the OpenAPI document's enums.
export const PIPELINE_FORMATS: readonly PipelineFormat[] = REGISTRY_FORMATS;
export const SHAPES = all<Shape>()(['table', 'timeseries-long', 'timeseries-wide'] as const);
export const COLUMN_TYPES: readonly ColumnType[] = REGISTRY_COLUMN_TYPES;
export const STEP_TYPES: readonly StepType[] = REGISTRY_STEP_TYPES;
export const ROOT_SYNTAXES = all<RootSyntax>()(['gjson', 'jq'] as const);
export const QUERY_FORMATS = all<QueryFormat>()(['table', 'timeseries', 'logs', 'trace', 'nodegraph'] as const);
export const BODY_TYPES = all<BodyType>()(['form', 'multipart'] as const);
export const CACHE_RESULTS = all<CacheResult>()(['hit', 'remote_hit', 'miss', 'coalesced', 'stale'] as const);
export const AGGREGATE_OPS = all<AggregateOp>()([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'first',
  'last',
  'distinct',
] as const);
const ROLE_VALUES = ['None', 'Viewer', 'Editor', 'Admin'] as const;

const pipeline = obj<Pipeline>({
  format: s(false, PIPELINE_FORMATS),
  root: s(false),
  rootSyntax: s(false, ROOT_SYNTAXES),
  csv: optObj<CsvOptions>({ delimiter: s(false), header: b(false), comment: s(false) }),
  columns: arr(false, {
    kind: 'object',
    required: true,
    props: obj<Column>({
      name: s(true),
      selector: s(false),
      type: s(false, COLUMN_TYPES),
      timeFormat: s(false),
      default: any(false),
      enum: map(false),
      timezone: s(false),
    }),
  }),
  steps: arr(false, { kind: 'object', required: true, props: { type: s(true, STEP_TYPES) } }),
  shape: s(false, SHAPES),
});

const proxyRule = obj<ProxyRuleView>({
  path: s(false),
  methods: arr(false, s(true)),
  minRole: s(false, ROLE_VALUES),
  cacheTTL: s(false),
});

export interface ContractEntry {
  operationId: string;
  method: 'get' | 'post';
  /** Path template as in the OpenAPI document. */
  path: string;
  /** Query parameters the frontend sends. */
  query?: string[];
  request?: { schema: string; props: Record<string, FieldSpec> };
  response?: { status: string; schema: string; props: Record<string, FieldSpec> };
}

export const ERROR_SCHEMA = {
  schema: 'Error',
  props: obj<ApiErrorBody>({ error: s(true), code: s(true), status: int(true) }),
};

export const CONTRACT: ContractEntry[] = [
  { operationId: 'openapi', method: 'get', path: '/openapi.json' },
  {
    operationId: 'info',
    method: 'get',
    path: '/info',
    response: {
      status: '200',
      schema: 'Info',
      props: obj<InfoResponse>({
        plugin: reqObj<InfoResponse['plugin']>({ id: s(false), version: s(false), sdkVersion: s(false) }),
        datasource: reqObj<InfoResponse['datasource']>({ uid: s(false), name: s(false) }),
        upstream: optObj<NonNullable<InfoResponse['upstream']>>({ origin: s(false), authType: s(false) }),
        features: arr(false, s(true)),
        caller: reqObj<InfoResponse['caller']>({ login: s(false), role: s(false, ROLE_VALUES), orgId: int(false) }),
        routes: arr(true, {
          kind: 'object',
          required: true,
          props: obj<RouteView>({
            name: s(false),
            path: s(false),
            methods: arr(false, s(true)),
            minRole: s(false, ROLE_VALUES),
            apiKeyRequired: b(false),
          }),
        }),
        proxyRules: arr(false, { kind: 'object', required: true, props: proxyRule }),
        actions: arr(false, s(true)),
        upstreams: arr(false, {
          kind: 'object',
          required: true,
          props: obj<UpstreamView>({
            name: s(true),
            default: b(false),
            origin: s(true),
            authType: s(true),
            proxyPath: s(true),
            proxyRules: arr(true, { kind: 'object', required: true, props: proxyRule }),
          }),
        }),
      }),
    },
  },
  {
    operationId: 'transform',
    method: 'post',
    path: '/transform',
    request: {
      schema: 'TransformRequest',
      props: obj<TransformRequest>({
        data: any(false),
        source: optObj<TransformSource>({
          upstream: s(false),
          method: s(false),
          path: s(true),
          params: map(false),
          headers: map(false),
          body: s(false),
          bodyType: s(false, BODY_TYPES),
          bodyForm: arr(false, {
            kind: 'object',
            required: true,
            props: obj<FormField>({ key: s(true), value: s(true) }),
          }),
          format: s(false, QUERY_FORMATS),
          graphql: { kind: 'object', required: false },
          pagination: { kind: 'object', required: false },
          cacheTTL: s(false),
          staleWhileRevalidate: s(false),
          acceptStatus: arr(false, s(true)),
          responseFields: arr(false, s(true)),
        }),
        pipeline: { kind: 'object', required: true, props: pipeline },
      }),
    },
    response: {
      status: '200',
      schema: 'TransformResponse',
      props: obj<TransformResponse>({
        frames: arr(true, { kind: 'object', required: true }),
        rows: int(false),
        notices: arr(false, {
          kind: 'object',
          required: true,
          props: obj<Notice>({ severity: s(false), text: s(false) }),
        }),
        cache: optObj<CacheReport>({
          ttl: s(true),
          from: s(true),
          staleWhileRevalidate: s(false),
          perUser: b(true),
          result: s(false, CACHE_RESULTS),
          ageSeconds: int(false),
        }),
      }),
    },
  },
  {
    operationId: 'schema',
    method: 'get',
    path: '/schema',
    query: ['path', 'root', 'rootSyntax', 'format'],
    response: {
      status: '200',
      schema: 'SchemaResponse',
      props: obj<SchemaResponse>({
        fields: arr(true, {
          kind: 'object',
          required: true,
          props: obj<SchemaField>({ path: s(true), type: s(true) }),
        }),
        root: s(false),
        sampleRows: int(false),
        roots: arr(false, {
          kind: 'object',
          required: true,
          props: obj<SchemaRoot>({ root: s(true), count: int(true) }),
        }),
      }),
    },
  },
  {
    operationId: 'actions.list',
    method: 'get',
    path: '/actions',
    response: {
      status: '200',
      schema: 'ActionList',
      props: obj<ActionListResponse>({
        actions: arr(true, {
          kind: 'object',
          required: true,
          props: obj<ActionView>({
            name: s(true),
            method: s(true),
            title: s(false),
            description: s(false),
            minRole: s(false, ROLE_VALUES),
            apiKeyRequired: b(false),
            confirm: s(false),
            params: arr(false, { kind: 'object', required: true }),
          }),
        }),
      }),
    },
  },
  {
    operationId: 'actions.run',
    method: 'post',
    path: '/actions/{name}',
    query: ['dryRun'],
    request: { schema: 'ActionParams', props: obj<ActionParamsRequest>({ params: map(false) }) },
    response: {
      status: '200',
      schema: 'ActionResult',
      props: obj<ActionResult>({
        action: s(true),
        status: int(false),
        headers: map(false),
        body: any(false),
        bodyEncoding: s(false, ['base64']),
        truncated: b(false),
        replayed: b(false),
        dryRun: b(false),
        durationMs: n(false),
        request: optObj<NonNullable<ActionResult['request']>>({
          method: s(true),
          url: s(true),
          headers: map(false),
          body: any(false),
        }),
      }),
    },
  },
];
