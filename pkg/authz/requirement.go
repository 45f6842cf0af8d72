package authz

import (
	"net/http"
	"slices"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/role"
)

// Requirement is what one call needs: derived from the route table, tightened
// by settings, and for proxy rules and actions from their own declarations.
type Requirement struct {
	// Scope names what is being called for API key scopes and the audit log:
	// a route name ("info") or "action:<name>".
	Scope   string
	MinRole role.Role
	// Public lets callers without a role through (only /openapi.json).
	Public bool
	// Users, when not empty, is an allowlist of logins.
	Users []string
	// APIKey requires a valid X-API-Key in addition to the Grafana user.
	APIKey bool
}

// Tighten combines two requirements, keeping the stricter of each part.
func (r Requirement) Tighten(o Requirement) Requirement {
	if o.MinRole > r.MinRole {
		r.MinRole = o.MinRole
	}
	r.Public = r.Public && o.Public
	if len(o.Users) > 0 {
		if len(r.Users) == 0 {
			r.Users = o.Users
		} else {
			var both []string
			for _, u := range r.Users {
				if slices.Contains(o.Users, u) {
					both = append(both, u)
				}
			}
			r.Users = append(both, "\x00") // non-empty even when the intersection is empty
		}
	}
	r.APIKey = r.APIKey || o.APIKey
	if o.Scope != "" {
		r.Scope = o.Scope
	}
	return r
}

// CheckUser decides on identity alone (role and login allowlist); API keys
// and rate limits are checked by Policy. It is pure, so /info and the
// enforcement share it.
func (r Requirement) CheckUser(c Caller) *apierr.Error {
	if need := r.EffectiveRole(); !c.Role.AtLeast(need) {
		return apierr.Forbidden("role_required", "%s requires the %s role or higher; the caller's role is %s", r.Scope, need, c.Role)
	}
	if len(r.Users) > 0 && (c.Anonymous() || !slices.Contains(r.Users, c.Login)) {
		return apierr.Forbidden("user_not_allowed", "%s is limited to listed users and %q is not one of them", r.Scope, c.Login)
	}
	return nil
}

// EffectiveRole is the role a caller needs: deny by default means anything
// not explicitly public needs at least Viewer.
func (r Requirement) EffectiveRole() role.Role {
	if !r.Public && r.MinRole < role.Viewer {
		return role.Viewer
	}
	return r.MinRole
}

// rateLimited builds the 429 with Retry-After in whole seconds (at least 1).
func rateLimited(class string, wait time.Duration) *apierr.Error {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	e := apierr.New(http.StatusTooManyRequests, "rate_limited", "rate limit for %s calls exceeded; retry in %ds", class, secs)
	e.RetryAfter = secs
	return e
}
