package plugin

import (
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/proxy"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// upstreamSet is one client per upstream, each gated by the policy view of
// its own upstream (authz.Policy.ForUpstream): a request can only pass the
// rules of the upstream it is sent to, under a grant made for that upstream.
type upstreamSet struct {
	def     *upstream.Client
	named   map[string]*upstream.Client
	order   []string
	clients []*upstream.Client // every client, the default first (health, Close)
	views   []*settings.Settings
}

func newUpstreamSet(s *settings.Settings, policy *authz.Policy, opts upstream.Options) (*upstreamSet, error) {
	set := &upstreamSet{named: map[string]*upstream.Client{}}
	build := func(v *settings.Settings) (*upstream.Client, error) {
		o := opts
		o.Gate = policy.ForUpstream(v.UpstreamName).CheckUpstream
		if v.UpstreamName != "" && opts.Logger != nil {
			o.Logger = opts.Logger.With("upstream", v.UpstreamName)
		}
		return upstream.New(v, o)
	}
	var errs settings.Errors
	for _, v := range append([]*settings.Settings{s}, s.Named()...) {
		c, err := build(v)
		if err != nil {
			errs = append(errs, prefixed(v, err)...)
			continue
		}
		if v.UpstreamName == "" {
			set.def = c
		} else {
			set.named[v.UpstreamName] = c
			set.order = append(set.order, v.UpstreamName)
		}
		set.clients = append(set.clients, c)
		set.views = append(set.views, v)
	}
	if len(errs) > 0 {
		set.close()
		return nil, errs
	}
	return set, nil
}

// prefixed moves a client error of a named upstream to its settings place.
func prefixed(v *settings.Settings, err error) settings.Errors {
	es, ok := settings.AsErrors(err)
	if !ok {
		es = settings.Errors{{Field: "jsonData", Message: "invalid upstream client settings"}}
	}
	if v.UpstreamName == "" {
		return es
	}
	out := make(settings.Errors, len(es))
	for i, e := range es {
		out[i] = &settings.FieldError{Field: settings.UpstreamField(v, e.Field), Message: e.Message}
	}
	return out
}

func (set *upstreamSet) gateways(policy *authz.Policy, logger log.Logger, remote cache.Remote) *proxy.Router {
	var def *proxy.Gateway
	named := make(map[string]*proxy.Gateway, len(set.named))
	for i, v := range set.views {
		g := proxy.New(v, set.clients[i], policy.ForUpstream(v.UpstreamName), logger)
		g.SetRemote(remote)
		if v.UpstreamName == "" {
			def = g
		} else {
			named[v.UpstreamName] = g
		}
	}
	return proxy.NewRouter(def, named, set.order)
}

func (set *upstreamSet) close() {
	for _, c := range set.clients {
		c.Close()
	}
}

// policyRules gives the query cache each upstream's proxy rules (their
// cacheTTL is a query's default).
func policyRules(policy *authz.Policy) func(string) *authz.Rules {
	return func(name string) *authz.Rules {
		if v := policy.ForUpstream(name); v != nil {
			return v.Rules()
		}
		return nil
	}
}
