import {
  BackendSrv,
  BackendSrvRequest,
  FetchError,
  FetchResponse,
  setBackendSrv,
  setTemplateSrv,
  TemplateSrv,
} from '@grafana/runtime';
import { Observable, of, throwError } from 'rxjs';

/**
 * A fake of Grafana's backend service: tests mock resource calls at the
 * getBackendSrv boundary, the same one DataSourceWithBackend uses.
 */
export type Reply = { status?: number; data: unknown; delayMs?: number };
export type Handler = (req: BackendSrvRequest) => Reply | Promise<Reply>;

export interface FakeBackend {
  requests: BackendSrvRequest[];
  /** Handlers by "METHOD path" where path is relative to the data source's resources, or the full URL. */
  on: (key: string, h: Handler | Reply) => void;
}

export const UID = 'relay-test';
const RESOURCES = `/api/datasources/uid/${UID}/resources/`;

export function installFakeBackend(): FakeBackend {
  const handlers = new Map<string, Handler>();
  const requests: BackendSrvRequest[] = [];
  const fetch = (req: BackendSrvRequest): Observable<FetchResponse<unknown>> => {
    requests.push(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url.startsWith(RESOURCES) ? req.url.slice(RESOURCES.length) : req.url;
    const h = handlers.get(`${method} ${path}`) ?? handlers.get(`${method} ${req.url}`);
    const reply = h
      ? h(req)
      : { status: 404, data: { error: `no fake for ${method} ${path}`, code: 'not_found', status: 404 } };
    return new Observable((sub) => {
      Promise.resolve(reply).then((r) => {
        const respond = () => {
          const status = r.status ?? 200;
          if (status >= 400) {
            const err: FetchError = { status, statusText: `HTTP ${status}`, data: r.data, config: req };
            throwError(() => err).subscribe(sub);
          } else {
            of({
              data: r.data,
              status,
              ok: true,
              headers: new Headers(),
              redirected: false,
              statusText: 'OK',
              type: 'basic',
              url: req.url,
              config: req,
            } as FetchResponse<unknown>).subscribe(sub);
          }
        };
        r.delayMs ? setTimeout(respond, r.delayMs) : respond();
      });
    });
  };
  setBackendSrv({ fetch } as unknown as BackendSrv);
  setTemplateSrv({
    replace: (s?: string) => (s ?? '').replace(/\$(\w+)/g, (m, name) => (name === 'env' ? 'prod' : m)),
    getVariables: () => [],
    containsTemplate: (s?: string) => !!s?.includes('$'),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv);
  return {
    requests,
    on: (key, h) => handlers.set(key, typeof h === 'function' ? h : () => h),
  };
}
