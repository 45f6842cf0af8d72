// Package authz is Relay's policy: who may call which route with which
// method, API keys for machine callers, per-user rate limits and the audit log.
// Identity comes only from PluginContext.User, never from request headers.
package authz

import (
	"context"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/role"
)

// Caller is the Grafana user making a call, as Grafana vouches for it.
type Caller struct {
	Login string    `json:"login"`
	Name  string    `json:"name,omitempty"`
	Role  role.Role `json:"role"`
	OrgID int64     `json:"orgId"`
	// APIKey is the name of the API key presented and verified, if any.
	APIKey string `json:"apiKey,omitempty"`
}

// CallerFromContext reads the caller from the plugin context the SDK stored.
// Headers such as X-Grafana-User are deliberately ignored: Grafana passes a
// client's copy through untouched when its own user header option is off.
func CallerFromContext(ctx context.Context) Caller {
	return CallerFromPluginContext(backend.PluginConfigFromContext(ctx))
}

// CallerFromPluginContext is the one reading of who calls, for resource calls
// and queries alike. Grafana presents an anonymous user (its anonymous access,
// public dashboards) as a User with an empty login and the role its settings
// give: the caller keeps that role, shares one rate-limit bucket per org (Key)
// and never matches a rule's user list. No User at all means no one: no role.
func CallerFromPluginContext(pc backend.PluginContext) Caller {
	c := Caller{OrgID: pc.OrgID} //nolint:staticcheck // OrgID is what Grafana sends
	if u := pc.User; u != nil {
		c.Login, c.Name, c.Role = u.Login, u.Name, role.FromGrafana(u.Role)
	}
	return c
}

// Anonymous reports whether the caller has no login (Grafana's anonymous
// access, or no user at all).
func (c Caller) Anonymous() bool { return c.Login == "" }

// Key identifies the caller for rate limits, lockouts, slots and budgets.
// Anonymous callers share one key per org: they are indistinguishable, so one
// bucket bounds them all, and the NUL keeps it apart from every login.
func (c Caller) Key() string {
	if c.Login == "" {
		return "\x00anonymous/org " + strconv.FormatInt(c.OrgID, 10)
	}
	return c.Login
}

type callerKey struct{}

// WithCaller stores the authorized caller (including a verified API key name).
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// AuthorizedCaller returns the caller stored by WithCaller, falling back to
// the plugin context.
func AuthorizedCaller(ctx context.Context) Caller {
	if c, ok := ctx.Value(callerKey{}).(Caller); ok {
		return c
	}
	return CallerFromContext(ctx)
}

// BackgroundLogin names the caller of a background evaluation that came
// without a user login.
const BackgroundLogin = "grafana-background"

// QueryCaller reads the caller of a QueryData request. Only what Grafana
// marks as an alert or background evaluation is background: its alerting
// engine sets the plain header FromAlert: true on the request (a browser's
// headers reach a plugin only under "http_" keys, so no client can set it).
// A background evaluation runs with Editor rights at most (the role that
// creates alert rules; Grafana's scheduler presents itself as an Admin), or
// with the user's own role when lower (a Viewer previewing a rule), and is
// not rate limited per user. Every other request, anonymous ones included,
// is the user Grafana presents, as for resource calls.
func QueryCaller(pc backend.PluginContext, headers map[string]string) (c Caller, background bool) {
	c = CallerFromPluginContext(pc)
	if !strings.EqualFold(headers[backend.FromAlertHeaderName], "true") {
		return c, false
	}
	if pc.User == nil {
		c.Role = role.Editor
	} else if c.Role > role.Editor {
		c.Role = role.Editor
	}
	if c.Login == "" {
		c.Login = BackgroundLogin
	}
	return c, true
}
