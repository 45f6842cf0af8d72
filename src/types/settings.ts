import { DataSourceJsonData, DataSourceSettings } from '@grafana/data';

import { AUTH_KINDS, BACKEND_DEFAULTS, GRAPHQL_OPERATIONS, RATE_CLASSES } from '../api/settings.gen';

/** Grafana org roles, weakest first; the backend compares them on this scale. */
export const ROLES = ['Viewer', 'Editor', 'Admin'] as const;
export type Role = (typeof ROLES)[number];

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** jsonData.auth.type: generated from the backend's list (pkg/settings/auth_kinds.go, a registry). */
export type AuthType = (typeof AUTH_KINDS)[number];

/** How a fetched token is sent (oauth2, jwt): header name and a format containing {{token}}. */
export interface TokenFormat {
  tokenHeader?: string;
  tokenFormat?: string;
}

export interface OAuth2Settings extends TokenFormat {
  tokenUrl?: string;
  clientId?: string;
  scopes?: string[];
  endpointParams?: Record<string, string>;
  authStyle?: 'header' | 'params';
  /** client_credentials (default), password (username + oauth2Password) or refresh_token (oauth2RefreshToken). */
  grantType?: 'client_credentials' | 'password' | 'refresh_token';
  username?: string;
  /** Sent with the token request. */
  headers?: Record<string, string>;
  audience?: string;
  resource?: string;
}

export interface SigV4Settings {
  authMode?: 'keys' | 'default';
  region?: string;
  service?: string;
  assumeRoleArn?: string;
  externalId?: string;
  stsEndpoint?: string;
}

export interface JWTSettings extends TokenFormat {
  tokenUrl?: string;
  email?: string;
  subject?: string;
  audience?: string;
  scopes?: string[];
  privateKeyId?: string;
}

/** jsonData.auth.login: the API's own login call (body strings may name secrets as {{secure.<key>}}). */
export interface LoginSettings {
  method?: string;
  path?: string;
  contentType?: 'json' | 'form';
  body?: unknown;
  headers?: Record<string, string>;
  tokenPath?: string;
  tokenHeader?: string;
  tokenCookie?: string;
  expiresInPath?: string;
  expiresIn?: string;
}

export interface AzureSettings {
  mode?: 'clientSecret' | 'managedIdentity';
  tenantId?: string;
  clientId?: string;
  scopes?: string[];
  authorityHost?: string;
}

export interface AuthSettings {
  type?: AuthType;
  basicUser?: string;
  apiKeyName?: string;
  apiKeyIn?: 'header' | 'query';
  oauth2?: OAuth2Settings;
  sigv4?: SigV4Settings;
  jwt?: JWTSettings;
  azure?: AzureSettings;
  login?: LoginSettings;
  /** How a login token is sent: a header (default Authorization, "Bearer {{token}}") or a cookie. */
  tokenHeader?: string;
  tokenFormat?: string;
  tokenCookie?: string;
}

export interface OutboundProxySettings {
  mode?: 'none' | 'env' | 'url';
  url?: string;
  username?: string;
}

export interface HeaderSetting {
  name: string;
  value?: string;
  secret?: boolean;
}

/**
 * Everything one upstream has of its own (settings.Upstream in pkg/settings): the default upstream's keys are at the
 * top of jsonData (RelayJsonData extends it), a named upstream's are one entry of jsonData.upstreams
 * (UpstreamSettings). Nothing in it is shared between upstreams.
 */
export interface Upstream {
  auth?: AuthSettings;
  headers?: HeaderSetting[];
  tls?: { skipVerify?: boolean; serverName?: string };
  timeouts?: { dial?: string; tlsHandshake?: string; responseHeader?: string; request?: string };
  network?: { allowPrivateNetworks?: boolean; allowedCIDRs?: string[]; allowedHosts?: string[]; maxRedirects?: number };
  proxy?: {
    /** Absent means the backend default (Viewers may GET/HEAD everything); [] denies every proxy call. */
    rules?: ProxyRule[];
    queryParams?: Record<string, string>;
    maxRequestBytes?: number;
    maxResponseBytes?: number;
    maxConcurrent?: number;
  };
  healthPath?: string;
  sendUserHeader?: boolean;
  /** Send the caller's signed Grafana ID token (X-Grafana-Id) upstream. */
  forwardGrafanaIdToken?: boolean;
  cache?: { maxBytes?: number };
  outboundProxy?: OutboundProxySettings;
}

/**
 * A named upstream (jsonData.upstreams[]): its name and URL, and the keys an upstream has of its own, as the default
 * upstream has them at the top of jsonData. Its secrets are secureJsonData "upstreams.<name>.<key>"
 * (upstreamSecretKey).
 */
export interface UpstreamSettings extends Upstream {
  name: string;
  url: string;
}

/** The pattern the backend accepts for upstream names (pkg/settings/upstreams.go). */
export const UPSTREAM_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function upstreamSecretKey(upstream: string, key: string): SecureKey {
  return `upstreams.${upstream}.${key}` as SecureKey;
}

export interface ProxyRule {
  path: string;
  methods: string[];
  minRole?: Role;
  users?: string[];
  cacheTTL?: string;
  sharedCache?: boolean;
  timeout?: string;
  graphql?: GraphQLRule;
}

/** A proxy rule's graphql block (pkg/settings/graphql_rule.go); absent fields take the backend's defaults. */
export interface GraphQLRule {
  operations?: Array<(typeof GRAPHQL_OPERATIONS)[number]>;
  maxDepth?: number;
  maxAliases?: number;
  introspection?: boolean;
}

export interface RouteOverride {
  minRole?: Role;
  users?: string[];
  apiKeyRequired?: boolean;
}

export interface Rate {
  perSecond?: number;
  burst?: number;
}

/** Rate classes the backend limits separately: generated from pkg/settings/kinds.go. */
export { RATE_CLASSES };

export interface ApiKeyMeta {
  name: string;
  scopes?: string[];
  /** RFC 3339 time. */
  expires?: string;
}

export type ActionParamType = 'string' | 'number' | 'integer' | 'boolean';

export interface ActionParam {
  name: string;
  type: ActionParamType;
  required?: boolean;
  enum?: Array<string | number | boolean>;
  pattern?: string;
  min?: number;
  max?: number;
  description?: string;
  default?: string | number | boolean;
}

/** A query path the OpenAPI import described (jsonData.openapi.queries). */
export interface KnownQueryPath {
  /** Absent: the default upstream. */
  upstream?: string;
  /** The path; {name} placeholders match one segment. */
  path: string;
  root: string;
  fields: Array<{ name: string; type: string }>;
}

export interface ActionSettings {
  name: string;
  title?: string;
  description?: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  params?: ActionParam[];
  minRole?: Role;
  apiKeyRequired?: boolean;
  confirm?: string;
  /** The upstream the action calls; absent: the default one. */
  upstream?: string;
}

/**
 * jsonData of a Relay data source. Keys follow the json tags of the backend's
 * settings.Settings (pkg/settings); durations are Go duration strings ("30s").
 */
export interface RelayJsonData extends DataSourceJsonData, Upstream {
  /** Grafana's flag that makes it forward the user's OAuth token; kept in step with auth.type forwardOAuth. */
  oauthPassThru?: boolean;
  routes?: Record<string, RouteOverride>;
  rateLimits?: { disabled?: boolean; default?: Rate; classes?: Record<string, Rate>; idleTTL?: string };
  apiKeys?: ApiKeyMeta[];
  actions?: ActionSettings[];
  transform?: { maxInputBytes?: number; maxRows?: number; timeout?: string };
  query?: { maxPages?: number; concurrency?: number };
  audit?: { ringSize?: number };
  /** Named upstreams besides the default one (the data source's URL). */
  upstreams?: UpstreamSettings[];
  /**
   * What the OpenAPI import kept for the editors (the backend ignores it): the query paths with their row root
   * and typed fields, so the query editor suggests columns without sampling the API.
   */
  openapi?: { queries?: KnownQueryPath[] };
  /** Grafana's custom header convention: httpHeaderName<N> here, httpHeaderValue<N> in secureJsonData. */
  [httpHeaderName: `httpHeaderName${number}`]: string | undefined;
}

/** secureJsonData keys Relay reads. Values are write-only: Grafana never sends them back. */
export interface RelaySecureJsonData {
  basicAuthPassword?: string;
  bearerToken?: string;
  apiKeyValue?: string;
  oauth2ClientSecret?: string;
  oauth2Password?: string;
  oauth2RefreshToken?: string;
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  sigV4AccessKey?: string;
  sigV4SecretKey?: string;
  sigV4SessionToken?: string;
  jwtPrivateKey?: string;
  googleServiceAccountJSON?: string;
  azureClientSecret?: string;
  outboundProxyPassword?: string;
  /** A named upstream's secrets: "upstreams.<name>.<key>", the same keys as above. */
  [upstreamSecret: `upstreams.${string}`]: string | undefined;
  /** Secrets a login body names as {{secure.<key>}}: "login.<key>". */
  [loginSecret: `login.${string}`]: string | undefined;
  [httpHeaderValue: `httpHeaderValue${number}`]: string | undefined;
  /** "sha256:<saltHex>:<hashHex>" of a generated API key. */
  [apiKeyHash: `apiKeyHash.${string}`]: string | undefined;
}

export type SecureKey = keyof RelaySecureJsonData & string;

export type RelaySettings = DataSourceSettings<RelayJsonData, RelaySecureJsonData>;

/** Backend defaults (generated from pkg/settings/defaults.go), shown as placeholders. */
export const DEFAULTS = {
  ...BACKEND_DEFAULTS,
  proxyRules: [{ ...BACKEND_DEFAULTS.proxyRule, methods: [...BACKEND_DEFAULTS.proxyRule.methods] }] as ProxyRule[],
};
