// Package settings turns a data source's jsonData and decrypted secureJsonData
// into typed, validated settings. Every error names the offending field so the
// config editor and CheckHealth can show something a user can act on.
package settings

import (
	"net/url"
	"time"

	"github.com/relay-gateway/relay/pkg/role"
)

// Settings is one data source's configuration. Secret values live only in
// Secrets and are never serialised (see Secrets.MarshalJSON).
type Settings struct {
	UID  string `json:"uid"`
	Name string `json:"name"`

	// Upstream is the default upstream's own fields, at the top of jsonData
	// (its URL is the data source's URL field).
	Upstream

	Routes     map[string]RouteOverride `json:"routes,omitempty"`
	RateLimits RateLimits               `json:"rateLimits"`
	APIKeys    []APIKey                 `json:"apiKeys,omitempty"`
	Actions    []Action                 `json:"actions,omitempty"`
	Transform  TransformLimits          `json:"transform"`
	Query      QueryOptions             `json:"query"`
	Audit      Audit                    `json:"audit"`

	// Upstreams is every upstream, one Upstream each: the default first
	// (the embedded Upstream, Name ""), then jsonData.upstreams in order.
	// Parse builds it; see upstreams.go.
	Upstreams []*Upstream `json:"-"`
	// NamedUpstreams are the entries of jsonData.upstreams as written;
	// Parse makes each one of Upstreams (their Upstream is the same value).
	NamedUpstreams []UpstreamConfig `json:"upstreams,omitempty"`

	byName map[string]*Upstream // Upstreams by internal name ("" the default)
}

// Upstream is everything one upstream has of its own: URL, credentials,
// headers, TLS, timeouts, network policy, proxy rules and limits, health
// path, identity forwarding, cache, outbound proxy and secrets. The default
// upstream's are at the top of jsonData (Settings embeds one); a named
// upstream's are one entry of jsonData.upstreams (UpstreamConfig embeds
// one). Nothing in it is shared between upstreams.
type Upstream struct {
	// Name is a named upstream's name (UpstreamConfig.Name, as written);
	// "" for the default upstream.
	Name string `json:"-"`

	// URL is the upstream base URL (the data source's URL field, or a named
	// upstream's url); its origin is the only host Relay talks to unless
	// Network.AllowedHosts adds more.
	URL *url.URL `json:"-"`

	Auth     Auth     `json:"auth"`
	Headers  []Header `json:"headers,omitempty"`
	TLS      TLS      `json:"tls"`
	Timeouts Timeouts `json:"timeouts"`
	Network  Network  `json:"network"`
	Proxy    Proxy    `json:"proxy"`

	// HealthPath is requested by CheckHealth (GET, relative to URL).
	HealthPath string `json:"healthPath,omitempty"`
	// SendUserHeader adds X-Grafana-User (from PluginContext.User only) upstream.
	SendUserHeader bool `json:"sendUserHeader,omitempty"`
	// ForwardGrafanaIDToken sends the caller's signed Grafana ID token
	// (X-Grafana-Id, when Grafana's idForwarding feature gives one) upstream.
	ForwardGrafanaIDToken bool     `json:"forwardGrafanaIdToken,omitempty"`
	Cache                 Cache    `json:"cache"`
	OutboundProxy         Outbound `json:"outboundProxy"`

	Secrets Secrets `json:"-"`

	path Path // where this upstream's fields live (see Path)
}

// Auth describes how Relay authenticates to the upstream.
type Auth struct {
	Type string `json:"type"`
	// Basic: user name (password in secrets.basicAuthPassword).
	BasicUser string `json:"basicUser,omitempty"`
	// API key: where and under which name (value in secrets.apiKeyValue).
	APIKeyName string `json:"apiKeyName,omitempty"`
	APIKeyIn   string `json:"apiKeyIn,omitempty"` // header | query
	// OAuth2 client credentials (secret in secrets.oauth2ClientSecret).
	OAuth2 *OAuth2 `json:"oauth2,omitempty"`
	// SigV4, JWT and Azure configure those auth kinds (auth_sigv4.go,
	// auth_jwt.go, auth_azure.go; auth_kinds.go is the registry).
	SigV4 *SigV4 `json:"sigv4,omitempty"`
	JWT   *JWT   `json:"jwt,omitempty"`
	Azure *Azure `json:"azure,omitempty"`
	// Login is the login call of login auth (auth_login.go); TokenHeader
	// and TokenFormat (default Authorization and "Bearer {{token}}") or
	// TokenCookie say how its token is sent.
	Login       *Login `json:"login,omitempty"`
	TokenHeader string `json:"tokenHeader,omitempty"`
	TokenFormat string `json:"tokenFormat,omitempty"`
	TokenCookie string `json:"tokenCookie,omitempty"`
}

// Header is an extra request header sent upstream. Secret headers take their
// value from secureJsonData (Grafana's httpHeaderName<N>/httpHeaderValue<N>).
type Header struct {
	Name string `json:"name"`
	// Value is set for plain headers; a secret header's value is in Secrets.Headers.
	Value  string `json:"value,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

type TLS struct {
	SkipVerify bool   `json:"skipVerify"`
	ServerName string `json:"serverName,omitempty"`
	HasCACert  bool   `json:"hasCACert"`
	HasClient  bool   `json:"hasClientCert"`
}

type Timeouts struct {
	Dial           Duration `json:"dial"`
	TLSHandshake   Duration `json:"tlsHandshake"`
	ResponseHeader Duration `json:"responseHeader"`
	Request        Duration `json:"request"`
}

// Network is the SSRF policy for outbound connections.
type Network struct {
	AllowPrivateNetworks bool     `json:"allowPrivateNetworks"`
	AllowedCIDRs         []string `json:"allowedCIDRs,omitempty"`
	AllowedHosts         []string `json:"allowedHosts,omitempty"`
	MaxRedirects         int      `json:"maxRedirects"`
}

// Proxy configures the /proxy/{path...} gateway.
type Proxy struct {
	Rules            []ProxyRule       `json:"rules"`
	QueryParams      map[string]string `json:"queryParams,omitempty"`
	MaxRequestBytes  int64             `json:"maxRequestBytes"`
	MaxResponseBytes int64             `json:"maxResponseBytes"`
	MaxConcurrent    int               `json:"maxConcurrent"`
	// MaxConcurrentPerUser caps one user's share of MaxConcurrent.
	MaxConcurrentPerUser int `json:"maxConcurrentPerUser"`
}

// ProxyRule allows methods on upstream paths matching Path (a prefix ending in
// "/" or "*", or an exact path) for callers with at least MinRole.
type ProxyRule struct {
	Path     string    `json:"path"`
	Methods  []string  `json:"methods"`
	MinRole  role.Role `json:"minRole"`
	Users    []string  `json:"users,omitempty"`
	CacheTTL Duration  `json:"cacheTTL,omitempty"`
	// SharedCache lets callers of every role share cached responses.
	SharedCache bool     `json:"sharedCache,omitempty"`
	Timeout     Duration `json:"timeout,omitempty"`
	// GraphQL, when set, checks the GraphQL document a request carries
	// (operation types, depth, aliases, introspection): graphql_rule.go.
	GraphQL *GraphQLRule `json:"graphql,omitempty"`
}

// RouteOverride tightens a resource route's policy; it can never loosen the
// route's declared floor.
type RouteOverride struct {
	MinRole *role.Role `json:"minRole,omitempty"`
	Users   []string   `json:"users,omitempty"`
	// APIKeyRequired makes the route a machine route: callers need X-API-Key too.
	APIKeyRequired bool `json:"apiKeyRequired,omitempty"`
}

type Rate struct {
	PerSecond float64 `json:"perSecond"`
	Burst     int     `json:"burst"`
}

// RateLimits are per user (login) and per route class ("read", "write",
// "transform", "action", ...). A class absent from Classes uses Default.
type RateLimits struct {
	Disabled bool            `json:"disabled"`
	Default  Rate            `json:"default"`
	Classes  map[string]Rate `json:"classes,omitempty"`
	// IdleTTL after which an unused limiter entry is forgotten.
	IdleTTL Duration `json:"idleTTL"`
}

// APIKey is metadata for a machine-caller key; only its salted hash is stored
// (secureJsonData "apiKeyHash.<name>" = "sha256:<saltHex>:<hashHex>").
type APIKey struct {
	Name    string     `json:"name"`
	Scopes  []string   `json:"scopes,omitempty"` // route names or "action:<name>"; empty = every machine route
	Expires *time.Time `json:"expires,omitempty"`
	Salt    []byte     `json:"-"`
	Hash    []byte     `json:"-"`
}

type Action struct {
	Name           string            `json:"name"`
	Title          string            `json:"title,omitempty"`
	Description    string            `json:"description,omitempty"`
	Method         string            `json:"method"`
	Path           string            `json:"path"`
	Query          map[string]string `json:"query,omitempty"`
	Body           any               `json:"body,omitempty"`
	Params         []ActionParam     `json:"params,omitempty"`
	MinRole        role.Role         `json:"minRole"`
	APIKeyRequired bool              `json:"apiKeyRequired,omitempty"`
	Confirm        string            `json:"confirm,omitempty"`
	// Upstream names the upstream the action calls ("" or "default": the data source's own).
	Upstream string `json:"upstream,omitempty"`
}

type ActionParam struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"` // string | number | integer | boolean
	Required    bool     `json:"required,omitempty"`
	Enum        []any    `json:"enum,omitempty"`
	Pattern     string   `json:"pattern,omitempty"`
	Min         *float64 `json:"min,omitempty"`
	Max         *float64 `json:"max,omitempty"`
	Description string   `json:"description,omitempty"`
	Default     any      `json:"default,omitempty"`
}

type Cache struct {
	MaxBytes int64 `json:"maxBytes"`
}

type TransformLimits struct {
	MaxInputBytes int64    `json:"maxInputBytes"`
	MaxRows       int      `json:"maxRows"`
	Timeout       Duration `json:"timeout"`
	// MaxInFlightBytes bounds the upstream bytes buffered for transforms at
	// once in this data source, MaxInFlightBytesPerUser one user's share.
	MaxInFlightBytes        int64 `json:"maxInFlightBytes"`
	MaxInFlightBytesPerUser int64 `json:"maxInFlightBytesPerUser"`
	// MaxConcurrentPerUser transforms run at once per user; more wait.
	MaxConcurrentPerUser int `json:"maxConcurrentPerUser"`
}

type QueryOptions struct {
	MaxPages    int `json:"maxPages"`
	Concurrency int `json:"concurrency"`
	// MaxForEach caps the values a forEach query runs for (its max).
	MaxForEach int `json:"maxForEach"`
	// MaxCallsPerRequest caps the upstream calls of one Grafana request
	// (all its queries and pages).
	MaxCallsPerRequest int `json:"maxCallsPerRequest"`
	// MaxQueriesPerRequest caps the queries of one Grafana request, and
	// MaxTransformTimePerRequest the time all its transforms take together
	// (inline queries make no upstream call, so only these bound them).
	MaxQueriesPerRequest       int      `json:"maxQueriesPerRequest"`
	MaxTransformTimePerRequest Duration `json:"maxTransformTimePerRequest"`
}

type Audit struct {
	RingSize int `json:"ringSize"`
}
