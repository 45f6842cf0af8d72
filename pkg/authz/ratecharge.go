package authz

import "github.com/relay-gateway/relay/pkg/apierr"

// ChargeRate charges one call of class to the caller's rate limiter, for
// work that makes no upstream request and so never passes CheckUpstream
// (inline queries: transforms the caller asks for, charged to "query" like
// the calls of any other query).
func (p *Policy) ChargeRate(c Caller, class string) *apierr.Error {
	if p.noLimits || class == "" {
		return nil
	}
	if ok, wait := p.limits.Reserve(c.Key(), class); !ok {
		return rateLimited(class, wait)
	}
	return nil
}
