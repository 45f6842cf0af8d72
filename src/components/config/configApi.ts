import { RelayJsonData, RelaySecureJsonData, RelaySettings, SecureKey } from '../../types/settings';

/**
 * What every config section needs: the current settings and immutable
 * updaters for jsonData, secureJsonData and the data source URL.
 */
export interface ConfigApi {
  options: RelaySettings;
  jsonData: RelayJsonData;
  /** Clones jsonData, lets fn mutate the clone, emits the result. */
  update: (fn: (jd: RelayJsonData) => void) => void;
  setUrl: (url: string) => void;
  secure: {
    isConfigured: (key: SecureKey) => boolean;
    value: (key: SecureKey) => string;
    set: (key: SecureKey, value: string) => void;
    reset: (key: SecureKey) => void;
    /** Several secure changes and a jsonData change in one emit (keys and headers need this). */
    batch: (changes: Partial<Record<SecureKey, string | null>>, fn?: (jd: RelayJsonData) => void) => void;
  };
}

export function makeConfigApi(options: RelaySettings, onChange: (o: RelaySettings) => void): ConfigApi {
  const jsonData = options.jsonData ?? {};
  const clone = (): RelayJsonData => JSON.parse(JSON.stringify(jsonData));

  /**
   * value string sets a secret; null resets it (clears "configured" and sends an
   * empty value so Grafana overwrites the stored one).
   */
  const applySecure = (changes: Partial<Record<SecureKey, string | null>>, fn?: (jd: RelayJsonData) => void) => {
    const secureJsonData: RelaySecureJsonData = { ...(options.secureJsonData ?? {}) };
    const secureJsonFields: Record<string, boolean> = { ...(options.secureJsonFields ?? {}) };
    for (const [k, v] of Object.entries(changes) as Array<[SecureKey, string | null]>) {
      if (v === null) {
        secureJsonFields[k] = false;
        secureJsonData[k] = '';
      } else {
        secureJsonData[k] = v;
      }
    }
    let jd = jsonData;
    if (fn) {
      jd = clone();
      fn(jd);
    }
    onChange({ ...options, jsonData: jd, secureJsonData, secureJsonFields });
  };

  return {
    options,
    jsonData,
    update: (fn) => {
      const jd = clone();
      fn(jd);
      onChange({ ...options, jsonData: jd });
    },
    setUrl: (url) => onChange({ ...options, url }),
    secure: {
      isConfigured: (key) => !!options.secureJsonFields?.[key],
      value: (key) => options.secureJsonData?.[key] ?? '',
      set: (key, value) => applySecure({ [key]: value }),
      reset: (key) => applySecure({ [key]: null }),
      batch: applySecure,
    },
  };
}

/** Sets or deletes (when empty) a property, so jsonData carries no noise. */
export function setOrDelete<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined | '') {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    delete obj[key];
  } else {
    obj[key] = value as T[K];
  }
}

/** Parses a number input; empty means "use the default" (undefined). */
export function parseNumber(s: string): number | undefined {
  if (s.trim() === '') {
    return undefined;
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

// Go's time.ParseDuration syntax (a sign is accepted there; the backend then rejects negatives itself).
const GO_DURATION = /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** Returns an error text for a Go duration string ("30s", "1m30s"), or undefined when valid or empty. */
export function durationError(s: string | undefined): string | undefined {
  if (!s || s === '0' || GO_DURATION.test(s)) {
    return undefined;
  }
  return 'Use a duration like 500ms, 30s, 1m30s or 2h';
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) {
    return '';
  }
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[i]}`;
}
