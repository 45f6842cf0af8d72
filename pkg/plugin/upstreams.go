package plugin

import (
	"slices"

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
	for _, u := range s.Upstreams {
		o := opts
		o.Gate = policy.ForUpstream(u.Name).CheckUpstream
		if u.Name != "" && opts.Logger != nil {
			o.Logger = opts.Logger.With("upstream", u.Name)
		}
		c, err := upstream.New(s.DataSource(), u, o)
		if err != nil {
			errs = appendNew(errs, clientErrors(u, err))
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

// clientErrors are upstream.New's errors, already named by the upstream's
// own settings path (settings.Path).
func clientErrors(u *settings.Upstream, err error) settings.Errors {
	if es, ok := settings.AsErrors(err); ok {
		return es
	}
	return settings.Errors{{Field: u.Path().JSON(""), Message: "invalid upstream client settings"}}
}

// appendNew adds the errors errs does not hold yet: a data-source field
// every upstream's client refuses the same way (Grafana's secure socks
// proxy switched on but not configured) is reported once, not per upstream.
func appendNew(errs, more settings.Errors) settings.Errors {
	for _, e := range more {
		if !slices.ContainsFunc(errs, func(have *settings.FieldError) bool {
			return have.Field == e.Field && have.Message == e.Message
		}) {
			errs = append(errs, e)
		}
	}
	return errs
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
