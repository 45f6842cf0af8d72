package authz

import (
	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Named upstreams: one Policy per data source holds the identity checks, API
// keys and rate limiters; each upstream gets a view of it (ForUpstream) with
// that upstream's proxy rules and name. The view is that upstream client's
// gate, and it refuses a grant made for another upstream, so a grant for A
// never authorizes a request to B even if it reached B's client.

// ForUpstream returns the policy view of the named upstream ("" the default),
// or nil when there is none.
func (p *Policy) ForUpstream(name string) *Policy {
	name = settings.CanonicalUpstream(name)
	if name == p.upstream {
		return p
	}
	return p.views[name]
}

// Upstream is the name of the upstream whose rules this view enforces.
func (p *Policy) Upstream() string { return p.upstream }

// buildUpstreamViews compiles each named upstream's rules once; views share
// the limiters, keys and clock of the data source's policy.
func (p *Policy) buildUpstreamViews(s *settings.Settings) {
	if len(s.Upstreams) < 2 {
		return
	}
	p.views = make(map[string]*Policy, len(s.Upstreams))
	p.views[""] = p
	for _, u := range s.Upstreams[1:] {
		p.views[u.Name] = p.forUpstream(u)
	}
}

// forUpstream is the view of p enforcing u's rules under u's name.
func (p *Policy) forUpstream(u *settings.Upstream) *Policy {
	cp := *p
	cp.upstream = u.Name
	cp.rules = CompileRules(u.Proxy.Rules)
	return &cp
}

// checkGrantUpstream refuses a grant that names another upstream.
func (p *Policy) checkGrantUpstream(g Grant) *apierr.Error {
	if settings.CanonicalUpstream(g.Upstream) == p.upstream {
		return nil
	}
	return apierr.Forbidden("wrong_upstream", "Relay refused a request to upstream %q made on behalf of a call to upstream %q",
		settings.ShownUpstream(p.upstream), settings.ShownUpstream(settings.CanonicalUpstream(g.Upstream)))
}

// UpstreamView is one upstream as /info and OpenAPI show it.
type UpstreamView struct {
	Name     string `json:"name"`
	Default  bool   `json:"default,omitempty"`
	Origin   string `json:"origin,omitempty"`
	AuthType string `json:"authType"`
	// ProxyPath is where the gateway serves it ("/proxy/<name>/").
	ProxyPath  string     `json:"proxyPath"`
	ProxyRules []RuleView `json:"proxyRules"`
}
