import { isFetchError } from '@grafana/runtime';

/**
 * A failed resource call, carrying Relay's own message rather than Grafana's
 * generic "Failed to call resource". Relay answers errors as
 * {"error": "...", "code": "...", "status": N}; Grafana itself answers some
 * (unknown data source, no access, plugin down) as {"message": "..."}.
 */
export class RelayError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(message: string, code: string, status: number) {
    super(message);
    this.name = 'RelayError';
    this.code = code;
    this.status = status;
  }
}

export function toRelayError(err: unknown): RelayError {
  if (err instanceof RelayError) {
    return err;
  }
  if (isFetchError(err)) {
    const data: unknown = err.data;
    if (isRecord(data)) {
      if (typeof data.error === 'string' && data.error !== '') {
        const status = typeof data.status === 'number' ? data.status : err.status;
        return new RelayError(data.error, typeof data.code === 'string' ? data.code : 'error', status);
      }
      if (typeof data.message === 'string' && data.message !== '') {
        return new RelayError(data.message, 'grafana', err.status);
      }
    }
    if (typeof data === 'string' && data.trim() !== '') {
      return new RelayError(data.trim().slice(0, 500), 'error', err.status);
    }
    const text = err.statusText || (err.status ? `HTTP ${err.status}` : 'the request failed');
    return new RelayError(text, err.status ? 'http' : 'network', err.status ?? 0);
  }
  if (err instanceof Error) {
    return new RelayError(err.message, 'error', 0);
  }
  return new RelayError(String(err), 'error', 0);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
