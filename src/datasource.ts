import {
  CoreApp,
  CustomVariableSupport,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceInstanceSettings,
  ScopedVars,
} from '@grafana/data';
import { BackendSrvRequest, DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { toRelayError } from './api/errors';
import { VariableQueryEditor } from './components/query/VariableQueryEditor';
import { cleanQuery } from './query/model';
import {
  ActionListResponse,
  ActionParamsRequest,
  ActionResult,
  InfoResponse,
  OpenAPIDocument,
  SchemaResponse,
  TransformRequest,
  TransformResponse,
  TransformSource,
} from './types/api';
import { DEFAULT_QUERY, RelayQuery } from './types/query';
import { RelayJsonData } from './types/settings';

/** Resource calls report failures in the editors, with Relay's message; no Grafana toast. */
const quiet: Partial<BackendSrvRequest> = { showErrorAlert: false, showSuccessAlert: false };

export class DataSource extends DataSourceWithBackend<RelayQuery, RelayJsonData> {
  constructor(instanceSettings: DataSourceInstanceSettings<RelayJsonData>) {
    super(instanceSettings);
    this.variables = new RelayVariableSupport(this);
    // Annotations use the same query model and editor; frames with time/title/text/tags fields become annotations.
    this.annotations = {};
  }

  getDefaultQuery(_: CoreApp): Partial<RelayQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: RelayQuery): boolean {
    return !query.hide && !!query.path?.trim();
  }

  applyTemplateVariables(query: RelayQuery, scopedVars: ScopedVars): RelayQuery {
    const t = getTemplateSrv();
    const r = (s: string | undefined) => (s === undefined ? s : t.replace(s, scopedVars));
    const rMap = (m?: Record<string, string>) =>
      m && Object.fromEntries(Object.entries(m).map(([k, v]) => [r(k) ?? k, r(v) ?? '']));
    return {
      ...query,
      path: r(query.path),
      params: rMap(query.params),
      headers: rMap(query.headers),
      body: r(query.body),
    };
  }

  // ---- Resource API: every call goes through getResource/postResource, errors become RelayError. ----

  getInfo(): Promise<InfoResponse> {
    return this.call(() => this.getResource<InfoResponse>('info', undefined, quiet));
  }

  getOpenAPI(): Promise<OpenAPIDocument> {
    return this.call(() => this.getResource<OpenAPIDocument>('openapi.json', undefined, quiet));
  }

  getSchema(path: string, opts: { root?: string; format?: string; rootSyntax?: string } = {}): Promise<SchemaResponse> {
    const params: Record<string, string> = { path };
    if (opts.root) {
      params.root = opts.root;
    }
    if (opts.rootSyntax) {
      params.rootSyntax = opts.rootSyntax;
    }
    if (opts.format) {
      params.format = opts.format;
    }
    return this.call(() => this.getResource<SchemaResponse>('schema', params, quiet));
  }

  transform(req: TransformRequest): Promise<TransformResponse> {
    return this.call(() => this.postResource<TransformResponse>('transform', req, quiet));
  }

  /** Preview a query through POST /transform: the same pipeline the backend runs for QueryData. */
  previewQuery(query: RelayQuery, scopedVars: ScopedVars = {}): Promise<TransformResponse> {
    const q = cleanQuery(this.applyTemplateVariables(query, scopedVars));
    const source: TransformSource = { method: q.method || 'GET', path: q.path || '' };
    for (const k of ['params', 'headers', 'body', 'format', 'pagination'] as const) {
      if (q[k] !== undefined) {
        Object.assign(source, { [k]: q[k] });
      }
    }
    return this.transform({ source, pipeline: q.pipeline ?? {} });
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
    return this.datasource.query(request);
  }
}
