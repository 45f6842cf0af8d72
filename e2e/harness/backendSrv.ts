import { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

/**
 * Grafana's backend service for the harness page: real HTTP calls to the dev
 * host (same origin, through the static server's /api/ proxy) with basic auth,
 * answering like Grafana's own service (FetchResponse, or FetchError on >= 400).
 */
export function httpBackendSrv(login: string, password: string): BackendSrv {
  const auth = 'Basic ' + btoa(`${login}:${password}`);

  const fetchObs = <T>(req: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((sub) => {
      const ctl = new AbortController();
      const url = new URL(req.url, window.location.origin);
      for (const [k, v] of Object.entries(req.params ?? {})) {
        if (v !== undefined && v !== null) {
          url.searchParams.set(k, String(v));
        }
      }
      const headers: Record<string, string> = { ...(req.headers ?? {}), Authorization: auth };
      let body: BodyInit | undefined;
      if (req.data !== undefined && req.method && req.method !== 'GET') {
        body = typeof req.data === 'string' ? req.data : JSON.stringify(req.data);
        headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
      }
      window.fetch(url, { method: req.method ?? 'GET', headers, body, signal: ctl.signal }).then(
        async (r) => {
          const text = await r.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          if (!r.ok) {
            const err: FetchError = { status: r.status, statusText: r.statusText, data, config: req };
            sub.error(err);
            return;
          }
          sub.next({
            data: data as T,
            status: r.status,
            statusText: r.statusText,
            ok: r.ok,
            headers: r.headers,
            redirected: r.redirected,
            type: r.type,
            url: r.url,
            config: req,
          });
          sub.complete();
        },
        (e) => sub.error({ status: 0, statusText: String(e), data: undefined, config: req } as FetchError)
      );
      return () => ctl.abort();
    });

  const promise = <T>(req: BackendSrvRequest) =>
    new Promise<T>((resolve, reject) => fetchObs<T>(req).subscribe({ next: (r) => resolve(r.data), error: reject }));

  return {
    fetch: fetchObs,
    request: promise,
    datasourceRequest: (req: BackendSrvRequest) =>
      new Promise((resolve, reject) => fetchObs(req).subscribe({ next: resolve, error: reject })),
    get: (url: string, params?: BackendSrvRequest['params']) => promise({ url, params, method: 'GET' }),
    post: (url: string, data?: unknown) => promise({ url, data, method: 'POST' }),
    put: (url: string, data?: unknown) => promise({ url, data, method: 'PUT' }),
    patch: (url: string, data?: unknown) => promise({ url, data, method: 'PATCH' }),
    delete: (url: string) => promise({ url, method: 'DELETE' }),
    resolveCancelerIfExists: () => {},
  } as unknown as BackendSrv;
}
