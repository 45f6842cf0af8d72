package proxy

import (
	"net/http"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Router serves /proxy/{path...} for every upstream of a data source. A named
// upstream's name claims the first path segment: /proxy/<name>/<path> is
// <path> on that upstream. Every other path is the default upstream's, as
// before named upstreams existed; /proxy/_default/<path> reaches a default
// upstream path whose first segment is a name. Routing is one map lookup, so
// its cost does not grow with the number of upstreams.
type Router struct {
	def   *Gateway
	named map[string]*Gateway
	order []string
}

// ForUpstreams builds the gateway of every upstream of set, each under the
// policy view of its own upstream, with the fleet's shared cache tier
// (remote, nil: this process only).
func ForUpstreams(set *upstream.Set, policy *authz.Policy, logger log.Logger, remote cache.Remote) *Router {
	var def *Gateway
	named := make(map[string]*Gateway, len(set.All())-1)
	var order []string
	for _, c := range set.All() {
		g := New(c, policy.ForUpstream(c.Name()), logger)
		g.SetRemote(remote)
		if c.Name() == "" {
			def = g
			continue
		}
		named[c.Name()], order = g, append(order, c.Name())
	}
	return NewRouter(def, named, order)
}

// NewRouter routes to def and the named gateways (keyed by upstream name).
func NewRouter(def *Gateway, named map[string]*Gateway, order []string) *Router {
	return &Router{def: def, named: named, order: order}
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	first, rest, _ := strings.Cut(path, "/")
	g := rt.named[first]
	switch {
	case g != nil:
	case first == settings.DefaultProxySegment:
		g = rt.def
	default:
		g, rest = rt.def, path
	}
	// The route's body limit is the largest of all upstreams; this one's own
	// applies here.
	if r.ContentLength > g.maxRequest {
		apierr.Write(w, r, apierr.TooLarge(g.maxRequest))
		return
	}
	if len(rt.named) > 0 && r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, g.maxRequest)
	}
	// The rest is that upstream's path; the gateway and the client's gate
	// judge it (PathProblem, base path, rules) as for the default upstream.
	r.SetPathValue("path", rest)
	g.ServeHTTP(w, r)
}

// Rules are the default upstream's rules (OpenAPI's x-relay-proxy-rules).
func (rt *Router) Rules() []authz.RuleView { return rt.def.Rules() }

// RulesFor are the default upstream's rules the caller passes (/info).
func (rt *Router) RulesFor(c authz.Caller) []authz.RuleView { return rt.def.RulesFor(c) }

// Upstreams lists every upstream, the default first, with the rules c passes
// (nil c: every rule, for OpenAPI).
func (rt *Router) Upstreams(c *authz.Caller) []authz.UpstreamView {
	out := make([]authz.UpstreamView, 0, len(rt.order)+1)
	out = append(out, rt.def.view(settings.DefaultUpstream, "/proxy/", c))
	out[0].Default = true
	for _, name := range rt.order {
		out = append(out, rt.named[name].view(name, "/proxy/"+name+"/", c))
	}
	return out
}

func (g *Gateway) view(name, path string, c *authz.Caller) authz.UpstreamView {
	return authz.UpstreamView{Name: name, Origin: g.client.Origin(), AuthType: g.authType, ProxyPath: path,
		ProxyRules: g.policy.Rules().Views(c)}
}
