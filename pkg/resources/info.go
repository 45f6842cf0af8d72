package resources

import (
	"net/http"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/role"
)

// RouteView is a route as /info shows it to a caller.
type RouteView struct {
	Name           string    `json:"name"`
	Path           string    `json:"path"`
	Methods        []string  `json:"methods"`
	MinRole        role.Role `json:"minRole"`
	APIKeyRequired bool      `json:"apiKeyRequired,omitempty"`
}

// PermittedRoutes lists the routes and methods the caller passes, using the
// same requirements the middleware enforces.
func (a *API) PermittedRoutes(c authz.Caller) []RouteView {
	var out []RouteView
	for i := range a.routes {
		rt := &a.routes[i]
		v := RouteView{Name: rt.Name, Path: rt.Pattern}
		for _, m := range rt.Methods {
			req := a.reqs[rt.Name][m]
			if req.CheckUser(c) == nil {
				v.Methods = append(v.Methods, m)
				v.MinRole = req.EffectiveRole()
				v.APIKeyRequired = v.APIKeyRequired || req.APIKey
			}
		}
		if len(v.Methods) > 0 {
			out = append(out, v)
		}
	}
	return out
}

func (a *API) serveInfo(w http.ResponseWriter, r *http.Request) {
	c := authz.AuthorizedCaller(r.Context())
	pc := backend.PluginConfigFromContext(r.Context())
	s := a.deps.Settings
	info := map[string]any{
		"plugin":     map[string]string{"id": pc.PluginID, "version": pc.PluginVersion, "sdkVersion": sdkVersion()},
		"datasource": map[string]string{"uid": s.UID, "name": s.Name},
		"upstream":   map[string]string{"origin": a.deps.Origin, "authType": s.Auth.Type},
		"features":   a.features(),
		"caller":     c,
		"routes":     a.PermittedRoutes(c),
	}
	if p := a.deps.Features.Proxy; p != nil {
		info["proxyRules"] = p.RulesFor(c)
		// Listed when there are named upstreams: a data source with only its own
		// URL answers as it always did.
		if u, ok := p.(UpstreamsFeature); ok {
			if ups := u.Upstreams(&c); len(ups) > 1 {
				info["upstreams"] = ups
			}
		}
	}
	if f := a.deps.Features.Actions; f != nil {
		var names []string
		for _, d := range f.Docs() {
			if c.Role.AtLeast(d.MinRole) {
				names = append(names, d.Name)
			}
		}
		info["actions"] = names
	}
	httpx.WriteJSON(w, http.StatusOK, info)
}

func (a *API) features() []string {
	f := a.deps.Features
	var out []string
	add := func(on bool, name string) {
		if on {
			out = append(out, name)
		}
	}
	add(f.Proxy != nil, "proxy")
	add(f.Transform != nil, "transform")
	add(f.Schema != nil, "schema")
	add(f.Actions != nil, "actions")
	add(len(a.deps.Settings.APIKeys) > 0, "apiKeys")
	add(!a.deps.Settings.RateLimits.Disabled, "rateLimits")
	add(true, "audit")
	sort.Strings(out)
	return out
}

func (a *API) serveAudit(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			apierr.Write(w, r, apierr.BadRequest("bad_query", "limit must be a whole number of entries from 1 (0 or absent: all)"))
			return
		}
		limit = n
	}
	// scope says whose entries these are: every replica's (the shared stream)
	// or, without Redis or while it is unavailable, this replica's.
	entries, scope := a.deps.Audit.List(limit)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"entries": entries, "scope": scope})
}

var sdkVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/grafana/grafana-plugin-sdk-go" {
				return d.Version
			}
		}
	}
	return "unknown"
})
