import { AuthSettings, RelayJsonData, UpstreamSettings } from '../../types/settings';

/**
 * Reads an Infinity or JSON API data source's settings (its JSON, as Grafana's API or the provisioning shows it) into
 * Relay's: the same mapping as `relay-migrate datasource` (pkg/migrate/provisioning.go, docs/migrate.md). Secret
 * values are never read; the secrets to enter again are listed.
 */
export interface ImportedSettings {
  plugin: 'infinity' | 'jsonapi';
  url: string;
  jsonData: RelayJsonData;
  /** Relay secureJsonData keys to enter again, with the old key each replaces. */
  secrets: Array<{ key: string; from: string }>;
  notes: string[];
}

const INFINITY = 'yesoreyeram-infinity-datasource';
const JSONAPI = 'marcusolsson-json-datasource';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The named upstream an allowed host becomes: its host name, lower-cased, "-" for other characters. */
export function upstreamName(base: string): string {
  let host = base;
  try {
    host = new URL(base).hostname || base;
  } catch {
    // not a URL: use it as it is
  }
  let name = host
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) {
    name = `u-${name}`;
  }
  name = name.slice(0, 63);
  return name === 'default' ? 'default-host' : name;
}

export function importSettings(text: string): ImportedSettings | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'Not valid JSON: paste the data source as Grafana shows it (GET /api/datasources/uid/<uid>)' };
  }
  const ds = obj(raw);
  const type = str(ds.type);
  if (type !== INFINITY && type !== JSONAPI) {
    return { error: `Not an Infinity (${INFINITY}) or JSON API (${JSONAPI}) data source: type is "${type}"` };
  }
  const jd = obj(ds.jsonData);
  const out: ImportedSettings = {
    plugin: type === INFINITY ? 'infinity' : 'jsonapi',
    url: str(ds.url).trim(),
    jsonData: {} as RelayJsonData,
    secrets: [],
    notes: [],
  };
  const hosts =
    type === INFINITY
      ? list(jd.allowedHosts)
          .map(str)
          .filter((h) => h.trim() !== '')
      : [];
  if (!out.url && hosts.length) {
    out.url = hosts[0];
  }
  if (!out.url) {
    out.notes.push('The old data source has no URL and no allowed hosts: set the URL of the API your queries call.');
  }
  const secret = (key: string, from: string) => out.secrets.push({ key, from });
  const auth = (prefix: string): AuthSettings | undefined => {
    let method = str(jd.auth_method);
    if (!method && ds.basicAuth === true) {
      method = 'basicAuth';
    } else if (!method && jd.oauthPassThru === true) {
      method = 'oauthPassThru';
    }
    switch (method) {
      case '':
      case 'none':
        return undefined;
      case 'basicAuth':
      case 'digestAuth':
        secret(`${prefix}basicAuthPassword`, 'basicAuthPassword');
        return { type: method === 'basicAuth' ? 'basic' : 'digest', basicUser: str(ds.basicAuthUser) };
      case 'apiKey':
        secret(`${prefix}apiKeyValue`, 'apiKeyValue');
        return {
          type: 'apiKey',
          apiKeyName: str(jd.apiKeyKey),
          apiKeyIn: str(jd.apiKeyType) === 'query' ? 'query' : 'header',
        };
      case 'bearerToken':
        secret(`${prefix}bearerToken`, 'bearerToken');
        return { type: 'bearer' };
      case 'oauthPassThru':
        return { type: 'forwardOAuth' };
      case 'aws': {
        const aws = obj(jd.aws);
        secret(`${prefix}sigV4AccessKey`, 'awsAccessKey');
        secret(`${prefix}sigV4SecretKey`, 'awsSecretKey');
        return { type: 'sigv4', sigv4: { region: str(aws.region), service: str(aws.service) } };
      }
      case 'oauth2': {
        const o = obj(jd.oauth2);
        const scopes = list(o.scopes).map(str);
        if (str(o.oauth2_type) === 'jwt') {
          secret(`${prefix}jwtPrivateKey`, 'oauth2JWTPrivateKey');
          return {
            type: 'jwt',
            jwt: {
              tokenUrl: str(o.token_url),
              email: str(o.email),
              subject: str(o.subject),
              privateKeyId: str(o.private_key_id),
              ...(scopes.length ? { scopes } : {}),
            },
          };
        }
        secret(`${prefix}oauth2ClientSecret`, 'oauth2ClientSecret');
        return {
          type: 'oauth2',
          oauth2: { tokenUrl: str(o.token_url), clientId: str(o.client_id), ...(scopes.length ? { scopes } : {}) },
        };
      }
    }
    out.notes.push(`Authentication "${method}" has no Relay equivalent: set it under Authentication.`);
    return undefined;
  };
  const a = auth('');
  if (a) {
    out.jsonData.auth = a;
  }
  if (jd.tlsSkipVerify === true || str(jd.serverName)) {
    out.jsonData.tls = {
      ...(jd.tlsSkipVerify === true ? { skipVerify: true } : {}),
      ...(str(jd.serverName) ? { serverName: str(jd.serverName) } : {}),
    };
  }
  if (jd.tlsAuthWithCACert === true) {
    secret('tlsCACert', 'tlsCACert');
  }
  if (jd.tlsAuth === true) {
    secret('tlsClientCert', 'tlsClientCert');
    secret('tlsClientKey', 'tlsClientKey');
  }
  const timeout = Number(jd.timeoutInSeconds ?? jd.timeout);
  if (timeout > 0) {
    out.jsonData.timeouts = { request: `${Math.round(timeout)}s` };
  }
  for (let i = 1; typeof jd[`httpHeaderName${i}`] === 'string'; i++) {
    out.jsonData[`httpHeaderName${i}`] = str(jd[`httpHeaderName${i}`]);
    secret(`httpHeaderValue${i}`, `httpHeaderValue${i}`);
  }
  if (type === JSONAPI) {
    const qp = str(jd.queryParams).replace(/^\?/, '');
    if (qp) {
      out.jsonData.proxy = { queryParams: Object.fromEntries(new URLSearchParams(qp)) };
    }
  } else {
    const ups: UpstreamSettings[] = hosts
      .filter((h) => h !== out.url)
      .map((h) => {
        const name = upstreamName(h);
        const ua = a ? auth(`upstreams.${name}.`) : undefined;
        return { name, url: h.replace(/\/+$/, ''), ...(ua ? { auth: ua } : {}) };
      });
    if (ups.length) {
      out.jsonData.upstreams = ups;
      out.notes.push(`Allowed hosts became the upstreams ${ups.map((u) => u.name).join(', ')}.`);
    }
    if (list(jd.refData).length) {
      out.notes.push(
        'Reference data is not a setting in Relay: relay-migrate dashboard --datasource-config inlines it into the queries.'
      );
    }
    if (list(jd.global_queries).length) {
      out.notes.push('Global queries have no Relay equivalent.');
    }
  }
  out.notes.push('POST queries need a proxy rule allowing POST on their paths (Proxy section).');
  return out;
}
