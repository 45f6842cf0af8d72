package settings

import (
	"net/http"
	"time"

	"github.com/relay-gateway/relay/pkg/role"
)

// Limits that protect the plugin process. The SDK's gRPC server refuses
// messages over 16 MiB before Relay sees them, so the request body ceiling sits
// below that and Relay can answer 413 itself.
const (
	MaxRequestBodyCeiling   = 15 << 20
	DefaultMaxRequestBytes  = 10 << 20
	DefaultMaxResponseBytes = 2 << 30
	defaultMaxRedirects     = 3
	// MaxAuditRingSize bounds jsonData.audit.ringSize.
	MaxAuditRingSize = 100_000
	// DefaultAPIKeyName is the header (or query parameter) of auth type apiKey
	// and of Relay's own API keys.
	DefaultAPIKeyName = "X-API-Key"
)

// DefaultProxyRules allow reading the whole upstream for Viewers and nothing else.
func DefaultProxyRules() []ProxyRule {
	return []ProxyRule{{Path: "/", Methods: []string{http.MethodGet, http.MethodHead}, MinRole: role.Viewer}}
}

func applyDefaults(s *Settings) {
	applyUpstreamDefaults(&s.Upstream)
	for i := range s.Actions {
		if s.Actions[i].MinRole == role.None {
			s.Actions[i].MinRole = role.Editor
		}
	}
	if s.RateLimits.Default.PerSecond == 0 {
		s.RateLimits.Default = Rate{PerSecond: 50, Burst: 100}
	}
	durDefault(&s.RateLimits.IdleTTL, 10*time.Minute)
	intDefault64(&s.Transform.MaxInputBytes, 64<<20)
	intDefault(&s.Transform.MaxRows, 1_000_000)
	durDefault(&s.Transform.Timeout, 30*time.Second)
	// One user may buffer one answer of the largest size and some more; the
	// data source a few users' worth.
	intDefault64(&s.Transform.MaxInFlightBytesPerUser, max(96<<20, s.Transform.MaxInputBytes+32<<20))
	intDefault64(&s.Transform.MaxInFlightBytes, max(256<<20, 2*s.Transform.MaxInFlightBytesPerUser))
	intDefault(&s.Transform.MaxConcurrentPerUser, 4)
	intDefault(&s.Query.MaxCallsPerRequest, 200)
	intDefault(&s.Query.MaxPages, 10)
	intDefault(&s.Query.MaxForEach, 100)
	intDefault(&s.Query.Concurrency, 4)
	intDefault(&s.Query.MaxQueriesPerRequest, 50)
	durDefault(&s.Query.MaxTransformTimePerRequest, 2*s.Transform.Timeout.Duration)
	intDefault(&s.Audit.RingSize, 1000)
}

// applyUpstreamDefaults fills one upstream's unset fields (the default
// upstream's and every named one's alike).
func applyUpstreamDefaults(s *Upstream) {
	if s.Auth.Type == "" {
		s.Auth.Type = AuthNone
	}
	if k := authKindOf(s.Auth.Type); k != nil && k.defaults != nil {
		k.defaults(&s.Auth)
	}
	if s.HealthPath == "" {
		s.HealthPath = "/"
	}
	durDefault(&s.Timeouts.Dial, 5*time.Second)
	durDefault(&s.Timeouts.TLSHandshake, 5*time.Second)
	durDefault(&s.Timeouts.ResponseHeader, 30*time.Second)
	durDefault(&s.Timeouts.Request, 60*time.Second)
	if s.Proxy.Rules == nil {
		s.Proxy.Rules = DefaultProxyRules()
	}
	for i := range s.Proxy.Rules {
		if s.Proxy.Rules[i].MinRole == role.None {
			s.Proxy.Rules[i].MinRole = role.Viewer // deny by default: nothing is public
		}
	}
	intDefault64(&s.Proxy.MaxRequestBytes, DefaultMaxRequestBytes)
	intDefault64(&s.Proxy.MaxResponseBytes, DefaultMaxResponseBytes)
	intDefault(&s.Proxy.MaxConcurrent, 64)
	intDefault(&s.Proxy.MaxConcurrentPerUser, 16)
	intDefault64(&s.Cache.MaxBytes, 32<<20)
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func durDefault(d *Duration, v time.Duration) {
	if d.Duration == 0 {
		d.Duration = v
	}
}

func intDefault(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func intDefault64(p *int64, v int64) {
	if *p == 0 {
		*p = v
	}
}
