import { RelayJsonData, SecureKey, UpstreamSettings, upstreamSecretKey } from '../../types/settings';
import { ConfigApi } from './configApi';
import { FieldErrors } from './health';

/**
 * The ConfigApi of named upstream i: its jsonData is the upstream's entry
 * (which has the same keys as the default upstream at the top of jsonData),
 * and its secret keys are namespaced "upstreams.<name>.<key>". So the
 * sections written for the default upstream (auth, TLS, network, proxy
 * rules) edit a named one unchanged.
 */
export function upstreamConfigApi(cfg: ConfigApi, i: number): ConfigApi {
  const up = (cfg.jsonData.upstreams ?? [])[i];
  const key = (k: SecureKey) => upstreamSecretKey(up.name, k);
  const scoped = (fn: (jd: RelayJsonData) => void) => (jd: RelayJsonData) => fn(asJsonData((jd.upstreams ?? [])[i]));
  return {
    options: cfg.options,
    jsonData: asJsonData(up),
    update: (fn) => cfg.update(scoped(fn)),
    setUrl: (url) => cfg.update((jd) => ((jd.upstreams ?? [])[i].url = url)),
    secure: {
      isConfigured: (k) => cfg.secure.isConfigured(key(k)),
      value: (k) => cfg.secure.value(key(k)),
      set: (k, v) => cfg.secure.set(key(k), v),
      reset: (k) => cfg.secure.reset(key(k)),
      batch: (changes, fn) => {
        const mapped: Partial<Record<SecureKey, string | null>> = {};
        for (const [k, v] of Object.entries(changes)) {
          mapped[key(k as SecureKey)] = v;
        }
        cfg.secure.batch(mapped, fn && scoped(fn));
      },
    },
  };
}

function asJsonData(up: UpstreamSettings): RelayJsonData {
  return up as unknown as RelayJsonData;
}

/**
 * The backend's messages about upstream i, renamed to the default upstream's
 * fields ("jsonData.upstreams[0].auth.type" → "jsonData.auth.type",
 * "secureJsonData.upstreams.aws.sigV4SecretKey" → "secureJsonData.sigV4SecretKey"),
 * for the sections inside that upstream's card.
 */
export function upstreamFieldErrors(errs: FieldErrors, i: number, name: string): FieldErrors {
  const out: FieldErrors = {};
  const json = `jsonData.upstreams[${i}].`;
  const secret = `secureJsonData.upstreams.${name}.`;
  for (const [k, v] of Object.entries(errs)) {
    if (k.startsWith(json)) {
      out['jsonData.' + k.slice(json.length)] = v;
    } else if (k.startsWith(secret)) {
      out['secureJsonData.' + k.slice(secret.length)] = v;
    }
  }
  return out;
}

/** Secret keys configured (or typed) for an upstream, as stored: "upstreams.<name>.<key>". */
export function upstreamSecretKeys(cfg: ConfigApi, name: string): SecureKey[] {
  const prefix = `upstreams.${name}.`;
  const keys = new Set<string>();
  for (const [k, on] of Object.entries(cfg.options.secureJsonFields ?? {})) {
    if (on && k.startsWith(prefix)) {
      keys.add(k);
    }
  }
  for (const [k, v] of Object.entries(cfg.options.secureJsonData ?? {})) {
    if (v && k.startsWith(prefix)) {
      keys.add(k);
    }
  }
  return [...keys] as SecureKey[];
}
