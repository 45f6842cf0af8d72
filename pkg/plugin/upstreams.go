package plugin

import (
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// newUpstreamSet builds one client per upstream, each gated by the policy
// view of its own upstream (authz.Policy.ForUpstream): a request can only
// pass the rules of the upstream it is sent to, under a grant made for that
// upstream. The one Set goes unchanged to the proxy, queries, actions and
// the health check.
func newUpstreamSet(s *settings.Settings, policy *authz.Policy, opts upstream.Options) (*upstream.Set, error) {
	var clients []*upstream.Client
	var errs settings.Errors
	for _, v := range append([]*settings.Settings{s}, s.Named()...) {
		o := opts
		o.Gate = policy.ForUpstream(v.UpstreamName).CheckUpstream
		if v.UpstreamName != "" && opts.Logger != nil {
			o.Logger = opts.Logger.With("upstream", v.UpstreamName)
		}
		c, err := upstream.New(v, o)
		if err != nil {
			errs = append(errs, prefixed(v, err)...)
			continue
		}
		clients = append(clients, c)
	}
	set := upstream.NewSet(clients...)
	if len(errs) > 0 {
		set.Close()
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
