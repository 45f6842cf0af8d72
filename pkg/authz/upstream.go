package authz

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/httpx"
)

// AuthorizeUpstream decides whether c may send method to the upstream path
// rel (relative to the data source's base URL) under the proxy rules. The
// proxy, queries, /transform and /schema sources, pagination and redirect hops
// all ask it: one rule set for every request Relay sends on a caller's behalf.
func (p *Policy) AuthorizeUpstream(c Caller, method, rel string) (*Rule, *apierr.Error) {
	rule, covered := p.rules.Match(rel, method)
	if rule == nil {
		if covered {
			return nil, apierr.Forbidden("proxy_method_denied", "no proxy rule allows %s on %s", method, rel)
		}
		return nil, apierr.Forbidden("proxy_path_denied", "no proxy rule covers %s", rel)
	}
	if err := rule.req.CheckUser(c); err != nil {
		err.Message = fmt.Sprintf("the proxy rule for %s %s requires the %s role or higher; the caller's role is %s",
			method, rule.Path, rule.req.EffectiveRole(), c.Role)
		if err.Code == "user_not_allowed" {
			err.Message = fmt.Sprintf("the proxy rule for %s is limited to listed users", rule.Path)
		}
		return nil, err
	}
	return rule, nil
}

// Decision is the proxy rule decision already made for one request: the
// proxy matches the rules once per call (DecideUpstream) and hands the
// decision to the gate in the grant, which then does not match them again
// for that same method and path. Any other request under the grant (a
// redirect elsewhere) is matched as usual. Only this package makes one.
type Decision struct {
	policy      *Policy
	method, rel string
	rule        *Rule
}

// Rule is the rule that allowed the request.
func (d *Decision) Rule() *Rule { return d.rule }

// DecideUpstream is AuthorizeUpstream kept as a Decision for the grant.
func (p *Policy) DecideUpstream(c Caller, method, rel string) (*Decision, *apierr.Error) {
	rule, err := p.AuthorizeUpstream(c, method, rel)
	if err != nil {
		return nil, err
	}
	return &Decision{policy: p, method: method, rel: rel, rule: rule}, nil
}

// covers reports whether d decided method on rel under p.
func (d *Decision) covers(p *Policy, method, rel string) bool {
	return d != nil && d.policy == p && d.method == method && d.rel == rel
}

// Grant says on whose behalf an upstream request is sent. Every request the
// upstream client sends must carry one in its context: the client asks
// CheckUpstream before the first request and before every redirect hop, and a
// request without a grant is refused. So pagination, redirects and retries
// cannot reach a path the caller could not reach directly.
type Grant struct {
	Caller Caller
	// Purpose names the feature in messages: "proxy", "query", "action", "health".
	Purpose string
	// Fixed is an admin-declared request (a named action, the health check)
	// that may be sent as declared whatever the proxy rules say. Any other
	// request under the grant, such as a redirect elsewhere, passes the rules.
	Fixed *FixedRequest
	// Budget, when set, counts the upstream calls of one Grafana request and
	// refuses those over its cap (queries × pages).
	Budget *CallBudget
	// RateClass, when set, charges the caller's limiter of that class once per
	// upstream request (queries: every page is a call).
	RateClass string
	// Upstream names the upstream the call is for ("" the default); the gate
	// of any other upstream refuses the grant.
	Upstream string
	// Decision, when set, is the proxy rule decision made for the call's own
	// request (DecideUpstream); the gate reuses it for that request.
	Decision *Decision
}

// FixedRequest is one exact upstream request an admin declared.
type FixedRequest struct {
	Method string
	URL    string // the full URL, as url.URL.String() writes it
}

type grantKey struct{}

// WithGrant attaches g to the requests made with ctx.
func WithGrant(ctx context.Context, g Grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

// GrantFrom returns the grant of ctx.
func GrantFrom(ctx context.Context) (Grant, bool) {
	g, ok := ctx.Value(grantKey{}).(Grant)
	return g, ok
}

// CheckUpstream is the upstream client's gate (upstream.Options.Gate): it
// decides one outbound request to the upstream origin, rel being its path
// relative to the base URL. Deny by default: no grant, no request.
func (p *Policy) CheckUpstream(ctx context.Context, method string, u *url.URL, rel string) error {
	g, ok := GrantFrom(ctx)
	if !ok {
		return apierr.Forbidden("no_grant", "Relay refused an upstream request that no caller was authorized for")
	}
	if err := p.checkGrantUpstream(g); err != nil {
		return err
	}
	fixed := g.Fixed != nil && g.Fixed.Method == method && g.Fixed.URL == u.String()
	if !fixed {
		if why := httpx.PathProblem(rel); why != "" {
			// The reason first and the whole path last: the upstream
			// client scrubs this message and only then cuts it.
			return apierr.Forbidden("ambiguous_path", "the upstream path is refused (%s): %q", why, rel)
		}
		// The call's own decision is reused (matched once per call); a
		// redirect hop or page elsewhere is matched here.
		var rule *Rule
		if g.Decision.covers(p, method, rel) {
			rule = g.Decision.Rule()
		} else {
			var err *apierr.Error
			if rule, err = p.AuthorizeUpstream(g.Caller, method, rel); err != nil {
				return err
			}
		}
		// The matched rule's graphql block judges the document being sent
		// (graphql.go): the proxy's and the queries' alike, redirect hops too.
		if err := checkGraphQLBody(ctx, rule, method, u); err != nil {
			return err
		}
	}
	if g.Budget != nil {
		if err := g.Budget.take(); err != nil {
			return err
		}
	}
	if g.RateClass != "" && !p.noLimits {
		if ok, wait := p.limits.Reserve(g.Caller.Key(), g.RateClass); !ok {
			return rateLimited(g.RateClass, wait)
		}
	}
	return nil
}

// CallBudget caps the upstream calls of one Grafana request: a dashboard of
// 200 queries × 10 pages must not become 2,000 upstream calls.
type CallBudget struct {
	max  int64
	used atomic.Int64
}

// NewCallBudget allows max calls (max <= 0: unlimited).
func NewCallBudget(max int) *CallBudget { return &CallBudget{max: int64(max)} }

// Used is the number of calls made so far.
func (b *CallBudget) Used() int64 { return b.used.Load() }

func (b *CallBudget) take() *apierr.Error {
	if n := b.used.Add(1); b.max > 0 && n > b.max {
		return apierr.New(http.StatusTooManyRequests, "upstream_calls_exceeded",
			"this request needs more than %d upstream calls (jsonData.query.maxCallsPerRequest); send fewer queries or pages", b.max)
	}
	return nil
}
