// Package authz is Relay's policy: who may call which route with which
// method, API keys for machine callers, per-user rate limits and the audit log.
// Identity comes only from PluginContext.User, never from request headers.
package authz

import (
	"context"

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
	pc := backend.PluginConfigFromContext(ctx)
	c := Caller{OrgID: pc.OrgID} //nolint:staticcheck // OrgID is what Grafana sends
	if u := pc.User; u != nil {
		c.Login, c.Name, c.Role = u.Login, u.Name, role.FromGrafana(u.Role)
	}
	if c.Login == "" {
		c.Role = role.None // no user: only public routes
	}
	return c
}

// Key identifies the caller for rate limiting and lockouts.
func (c Caller) Key() string {
	if c.Login == "" {
		return "anonymous"
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
