import { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

/** One HTTP call made for the frontend, for the playground's "explain" view. */
export interface Exchange {
  method: string;
  url: string;
  requestBody?: unknown;
  status: number;
  durationMs: number;
  responseBody?: unknown;
}

export interface BackendSrvOptions {
  /** Sent with every call, e.g. basic auth for the browser test's harness; the playground relies on its session cookie. */
  headers?: Record<string, string>;
  onExchange?: (e: Exchange) => void;
}

/**
 * Grafana's backend service over window.fetch: same-origin calls to the dev host, answered like Grafana's own
 * service (FetchResponse, or FetchError on >= 400).
 */
export function httpBackendSrv({ headers: extra = {}, onExchange }: BackendSrvOptions = {}): BackendSrv {
  const fetchObs = <T>(req: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable((sub) => {
      const ctl = new AbortController();
      const url = new URL(req.url, window.location.origin);
      for (const [k, v] of Object.entries(req.params ?? {})) {
        if (v !== undefined && v !== null) {
          url.searchParams.set(k, String(v));
        }
      }
      const headers: Record<string, string> = { ...(req.headers ?? {}), ...extra };
      const method = req.method ?? 'GET';
      let body: BodyInit | undefined;
      if (req.data !== undefined && method !== 'GET') {
        body = typeof req.data === 'string' ? req.data : JSON.stringify(req.data);
        headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
      }
      const started = performance.now();
      window.fetch(url, { method, headers, body, signal: ctl.signal, credentials: 'same-origin' }).then(
        async (r) => {
          const text = await r.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          const path = url.pathname + url.search;
          onExchange?.({
            method,
            url: path,
            requestBody: req.data,
            status: r.status,
            durationMs: performance.now() - started,
            responseBody: data,
          });
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
