package query

import (
	"github.com/relay-gateway/relay/pkg/authz"
)

// forUpstream is the runner sending to the named upstream ("" or "default":
// the data source's own) and the grant bound to it: that upstream's gate
// refuses any other grant, so a query cannot borrow another upstream's rules.
// The byte budget, work limit and the grant's call budget stay shared.
func (r *Runner) forUpstream(name string, g authz.Grant) (*Runner, authz.Grant, error) {
	c, err := r.upstreams.Lookup(name)
	if err != nil {
		err.Message = "upstream: " + err.Message
		return nil, g, err
	}
	g.Upstream = c.Name()
	if c == r.client {
		return r, g, nil
	}
	cp := *r
	cp.client = c
	return &cp, g, nil
}
