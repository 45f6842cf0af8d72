import {
  CoreApp,
  CustomVariableSupport,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceInstanceSettings,
  ScopedVars,
} from '@grafana/data';
import { BackendSrvRequest, DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import type { IntrospectionQuery } from 'graphql';
import { Observable } from 'rxjs';

import { toRelayError } from './api/errors';
import { AnnotationQueryEditor } from './components/query/AnnotationQueryEditor';
import { VariableQueryEditor } from './components/query/VariableQueryEditor';
import { queryDisplayText } from './query/display';
import { interpolatePath, interpolateQuery, textFormat } from './query/interpolate';
import { keepingBackendMacros } from './query/macros';
import { withMapping } from './query/mapping';
import { cleanQuery, hasInlineData, queryDependencies } from './query/model';
import {
  ActionListResponse,
  ActionParamsRequest,
  ActionResult,
  InfoResponse,
  OpenAPIDocument,
  OpenAPIImportProposal,
  OpenAPIImportRequest,
  SchemaResponse,
  TransformInput,
  TransformRequest,
  TransformResponse,
  TransformSource,
} from './types/api';
import { DEFAULT_QUERY, RelayQuery } from './types/query';
import { RelayJsonData } from './types/settings';

/** Resource calls report failures in the editors, with Relay's message; no Grafana toast. */
const quiet: Partial<BackendSrvRequest> = { showErrorAlert: false, showSuccessAlert: false };

/**
 * The query's fields /transform's source takes as they are (method and path get defaults). A record, so that a field
 * added to TransformSource (the backend's query model) fails to compile until it is listed here: the preview once
 * left acceptStatus and responseFields out and showed other rows than the panel.
 */
const SOURCE_FIELD_SET: Record<Exclude<keyof TransformSource, 'method' | 'path'>, true> = {
  upstream: true,
  params: true,
  headers: true,
  body: true,
  bodyType: true,
  bodyForm: true,
  format: true,
  pagination: true,
  graphql: true,
  cacheTTL: true,
  staleWhileRevalidate: true,
  acceptStatus: true,
  responseFields: true,
  forEach: true,
};
const SOURCE_FIELDS = Object.keys(SOURCE_FIELD_SET) as Array<keyof typeof SOURCE_FIELD_SET>;

export class DataSource extends DataSourceWithBackend<RelayQuery, RelayJsonData> {
  /** The saved jsonData: the query editor reads the imported query paths' fields from it (jsonData.openapi). */
  readonly jsonData: RelayJsonData;

  constructor(instanceSettings: DataSourceInstanceSettings<RelayJsonData>) {
    super(instanceSettings);
    this.jsonData = instanceSettings.jsonData ?? {};
    this.variables = new RelayVariableSupport(this);
    // Annotations use the query model with a field mapping; the mapped fields are renamed to Grafana's
    // time/timeEnd/title/text/tags by the backend pipeline, so alerting-style processing stays in Go.
    this.annotations = {
      QueryEditor: AnnotationQueryEditor,
      prepareAnnotation: (anno) => anno,
      prepareQuery: (anno) => {
        const target = anno.target as RelayQuery | undefined;
        return target ? withMapping(target, target.annotation) : undefined;
      },
    };
  }

  getDefaultQuery(_: CoreApp): Partial<RelayQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Hidden queries are sent too: a visible query may join, append or forEach over one. The backend runs a hidden
   * query only when a visible one reads it, and never answers it (pkg/query/deps.go).
   */
  filterQuery(query: RelayQuery): boolean {
    return !!query.path?.trim() || hasInlineData(query) || !!query.graphql?.query?.trim();
  }

  /** Every string of the query, with the format of its place (src/query/interpolate.ts, docs/queries.md). */
  applyTemplateVariables(query: RelayQuery, scopedVars: ScopedVars): RelayQuery {
    return interpolateQuery(query, scopedVars, getTemplateSrv());
  }

  /**
   * Queries copied out of a dashboard: "New alert rule" from a panel, Explore from a panel. The dashboard's variables
   * become their values (an alert rule has no dashboard, and the backend refuses an unresolved $var), each with the
   * format of its place as in applyTemplateVariables; the time, user and data source macros stay for the backend,
   * which expands them for the alert's own range at every evaluation.
   */
  interpolateVariablesInQueries(queries: RelayQuery[], scopedVars: ScopedVars): RelayQuery[] {
    const t = keepingBackendMacros(getTemplateSrv());
    return queries.map((q) => ({ ...interpolateQuery(q, scopedVars, t), datasource: this.getRef() }));
  }

  /** Query history, the alert rule list and search show this line instead of the query's JSON. */
  getQueryDisplayText(query: RelayQuery): string {
    return queryDisplayText(query);
  }

  // ---- Resource API: every call goes through getResource/postResource, errors become RelayError. ----

  getInfo(): Promise<InfoResponse> {
    return this.call(() => this.getResource<InfoResponse>('info', undefined, quiet));
  }

  getOpenAPI(): Promise<OpenAPIDocument> {
    return this.call(() => this.getResource<OpenAPIDocument>('openapi.json', undefined, quiet));
  }

  /** Field discovery for the editor; the dashboard's variables are replaced first, as in the query. */
  getSchema(
    path: string,
    opts: { root?: string; format?: string; rootSyntax?: string; upstream?: string } = {}
  ): Promise<SchemaResponse> {
    const t = getTemplateSrv();
    const params: Record<string, string> = { path: interpolatePath(path, (s, f) => t.replace(s, {}, f)) };
    if (opts.root) {
      params.root = t.replace(opts.root, {}, textFormat);
    }
    if (opts.upstream) {
      params.upstream = opts.upstream;
    }
    if (opts.rootSyntax) {
      params.rootSyntax = opts.rootSyntax;
    }
    if (opts.format) {
      params.format = opts.format;
    }
    return this.call(() => this.getResource<SchemaResponse>('schema', params, quiet));
  }

  /** The upstream's GraphQL introspection data ({__schema}), read through the proxy rules (GET /graphql/schema). */
  getGraphQLSchema(path: string, upstream?: string): Promise<IntrospectionQuery> {
    const t = getTemplateSrv();
    const params: Record<string, string> = { path: interpolatePath(path, (s, f) => t.replace(s, {}, f)) };
    if (upstream) {
      params.upstream = upstream;
    }
    return this.call(() => this.getResource<IntrospectionQuery>('graphql/schema', params, quiet));
  }

  transform(req: TransformRequest): Promise<TransformResponse> {
    return this.call(() => this.postResource<TransformResponse>('transform', req, quiet));
  }

  /** Preview a query through POST /transform: the same pipeline the backend runs for QueryData. */
  /** others: the panel's queries, of which those the query reads (join, append, forEach) go along as inputs. */
  previewQuery(query: RelayQuery, scopedVars: ScopedVars = {}, others: RelayQuery[] = []): Promise<TransformResponse> {
    const q = cleanQuery(this.applyTemplateVariables(query, scopedVars));
    const inputs: Record<string, TransformInput> = {};
    for (const ref of queryDependencies(q)) {
      const other = others.find((o) => o.refId === ref && o.refId !== q.refId);
      if (other) {
        inputs[ref] = this.transformInput(cleanQuery(this.applyTemplateVariables(other, scopedVars)));
      }
    }
    const req: TransformRequest = { ...this.transformInput(q), pipeline: q.pipeline ?? {} };
    if (Object.keys(inputs).length > 0) {
      req.inputs = inputs;
    }
    return this.transform(req);
  }

  /** A query as /transform reads it: inline data, or the upstream request (the query model without its pipeline). */
  private transformInput(q: RelayQuery): TransformInput {
    if (hasInlineData(q)) {
      return { data: q.data, pipeline: q.pipeline ?? {} };
    }
    const source: TransformSource = { method: q.method || (q.graphql ? 'POST' : 'GET'), path: q.path || '' };
    for (const k of SOURCE_FIELDS) {
      if (q[k] !== undefined) {
        Object.assign(source, { [k]: q[k] });
      }
    }
    return { source, pipeline: q.pipeline ?? {} };
  }

  /** An Admin's proposal of rules, actions and query paths from an OpenAPI description (changes nothing). */
  importOpenAPI(req: OpenAPIImportRequest): Promise<OpenAPIImportProposal> {
    return this.call(() => this.postResource<OpenAPIImportProposal>('openapi/import', req, quiet));
  }

  listActions(): Promise<ActionListResponse> {
    return this.call(() => this.getResource<ActionListResponse>('actions', undefined, quiet));
  }

  runAction(name: string, params: Record<string, unknown>, dryRun = false): Promise<ActionResult> {
    const options = dryRun ? { ...quiet, params: { dryRun: 'true' } } : quiet;
    const body: ActionParamsRequest = { params };
    return this.call(() => this.postResource<ActionResult>(`actions/${encodeURIComponent(name)}`, body, options));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toRelayError(e);
    }
  }
}

/** Query variables use the query model and editor of panels; values come from the first string field. */
export class RelayVariableSupport extends CustomVariableSupport<DataSource, RelayQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<RelayQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.map((t) => withMapping(t, t.variable));
    return this.datasource.query({ ...request, targets });
  }
}
