package authz

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Failed API key attempts allowed per caller: a burst of 5, then one every 12s.
const (
	keyFailureBurst = 5
	keyFailureEvery = 12 * time.Second
	keyFailureClass = "api-key-failures"
)

// Policy enforces identity, API keys and rate limits for one data source.
type Policy struct {
	rules    *Rules
	keys     keyring
	limits   RateLimiter
	failures RateLimiter
	// local and localFailures are the in-process buckets: the limits
	// themselves alone, the fallback when they are shared (shared.go).
	local         *Limiters
	localFailures *Limiters
	noLimits      bool
	now           func() time.Time
	// upstream is the upstream whose rules this is ("" the default);
	// views maps every upstream's name to its view (upstreams.go).
	upstream string
	views    map[string]*Policy
}

// Now is the policy's clock (injectable for tests), which the features that
// keep time-bound state (the proxy's cache) share.
func (p *Policy) Now() time.Time { return p.now() }

// NewPolicy builds the policy from settings; now is injectable for tests.
func NewPolicy(s *settings.Settings, now func() time.Time) *Policy {
	if now == nil {
		now = time.Now
	}
	rl := s.RateLimits
	rateFor := func(class string) (rate.Limit, int) {
		r, ok := rl.Classes[class]
		if !ok {
			r = rl.Default
		}
		burst := r.Burst
		if burst < 1 {
			burst = 1
		}
		return rate.Limit(r.PerSecond), burst
	}
	failRate := func(string) (rate.Limit, int) { return rate.Every(keyFailureEvery), keyFailureBurst }
	p := &Policy{
		rules:         CompileRules(s.Proxy.Rules),
		keys:          keyring{keys: s.APIKeys},
		local:         NewLimiters(rateFor, rl.IdleTTL.Duration, now),
		localFailures: NewLimiters(failRate, time.Hour, now),
		noLimits:      rl.Disabled,
		now:           now,
	}
	p.limits, p.failures = p.local, p.localFailures
	p.buildUpstreamViews(s)
	return p
}

// Authorize decides a call: identity, then API key, then the rate limit for
// class. On success the returned caller names the API key used.
func (p *Policy) Authorize(c Caller, req Requirement, class, presentedKey string) (Caller, *apierr.Error) {
	if err := req.CheckUser(c); err != nil {
		return c, err
	}
	if req.APIKey {
		var err *apierr.Error
		if c, err = p.CheckKey(c, req.Scope, presentedKey); err != nil {
			return c, err
		}
	}
	if !p.noLimits {
		if ok, wait := p.limits.Reserve(c.Key(), class); !ok {
			return c, rateLimited(class, wait)
		}
	}
	return c, nil
}

// CheckKey verifies a presented API key for scope, with the same per-caller
// lockout after repeated failures as Authorize. It is for requirements known
// only after routing (a named action's own apiKeyRequired); on success the
// returned caller names the key.
func (p *Policy) CheckKey(c Caller, scope, presentedKey string) (Caller, *apierr.Error) {
	if locked, wait := p.failures.Exhausted(c.Key(), keyFailureClass); locked {
		return c, rateLimited("API key", wait)
	}
	name, err := p.keys.verify(presentedKey, scope, p.now())
	if err != nil {
		if err.Code != "api_key_required" {
			p.failures.Reserve(c.Key(), keyFailureClass)
		}
		return c, err
	}
	c.APIKey = name
	return c, nil
}

// AuthorizeAction decides a named action: the action's own role and user
// floor, then its API key when it requires one (req.APIKey), with the same
// lockout as routes. On success the caller names the key used.
func (p *Policy) AuthorizeAction(c Caller, req Requirement, presentedKey string) (Caller, *apierr.Error) {
	if err := req.CheckUser(c); err != nil {
		return c, err
	}
	if req.APIKey {
		return p.CheckKey(c, req.Scope, presentedKey)
	}
	return c, nil
}

// Rules are the compiled proxy rules (for /info, OpenAPI and the cache).
func (p *Policy) Rules() *Rules { return p.rules }

// Limiters exposes the in-process per-user limiters (for metrics and tests).
func (p *Policy) Limiters() *Limiters { return p.local }
