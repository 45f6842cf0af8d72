package query

import (
	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// SetUpstreams gives the runner the clients of the named upstreams, so a
// query's "upstream" field picks one; without it only the default exists.
func (r *Runner) SetUpstreams(clients map[string]*upstream.Client) { r.clients = clients }

// forUpstream is the runner sending to the named upstream ("" or "default":
// the data source's own) and the grant bound to it: that upstream's gate
// refuses any other grant, so a query cannot borrow another upstream's rules.
// The byte budget, work limit and the grant's call budget stay shared.
func (r *Runner) forUpstream(name string, g authz.Grant) (*Runner, authz.Grant, error) {
	name = settings.CanonicalUpstream(name)
	g.Upstream = name
	if name == "" {
		return r, g, nil
	}
	c := r.clients[name]
	if c == nil {
		return nil, g, apierr.BadRequest("unknown_upstream", "upstream: no upstream named %q (jsonData.upstreams)", name)
	}
	cp := *r
	cp.client = c
	return &cp, g, nil
}
