package resources

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Features are the handlers other packages provide; a nil one leaves its
// routes out of the table (and so out of the router and the OpenAPI document).
type Features struct {
	Proxy     ProxyFeature
	Transform http.HandlerFunc
	Schema    http.HandlerFunc
	// GraphQLSchema answers an upstream's GraphQL introspection (the query
	// editor's completion).
	GraphQLSchema http.HandlerFunc
	Actions       ActionsFeature
	// SourceModel is a zero value of the query model (query.Query), which
	// /transform's source is: its schema is derived from the Go type
	// (schemas_model.go). plugin hands it in because resources imports no handler.
	SourceModel any
	// OpenAPIImport answers POST /openapi/import (pkg/openapiimport).
	OpenAPIImport http.HandlerFunc
}

// ProxyFeature is the /proxy gateway: it authorizes per rule itself, and
// lists the rules a caller may use for /info and OpenAPI.
type ProxyFeature interface {
	http.Handler
	RulesFor(c authz.Caller) []authz.RuleView
	Rules() []authz.RuleView
}

// UpstreamsFeature is a proxy that serves several upstreams (proxy.Router):
// /info lists them with the rules the caller passes on each.
type UpstreamsFeature interface {
	Upstreams(c *authz.Caller) []authz.UpstreamView
}

// ActionsFeature lists and runs named actions.
type ActionsFeature interface {
	List(w http.ResponseWriter, r *http.Request)
	Run(w http.ResponseWriter, r *http.Request)
	Docs() []authz.ActionDoc
}

// Deps is what the API needs from the plugin instance.
type Deps struct {
	Settings *settings.Settings
	Policy   *authz.Policy
	Audit    *authz.Audit
	Logger   log.Logger
	// Origin is the upstream origin without credentials.
	Origin   string
	Features Features
}

// API is the resource router of one data source instance, built once.
type API struct {
	deps    Deps
	routes  []Route
	reqs    map[string]map[string]authz.Requirement // route name → method → requirement
	mux     *http.ServeMux
	schemas openapi3.Schemas // built once per instance; routes and the document share them
	openapi []byte
}

// New builds the route table, the router and the OpenAPI document. Overrides
// in settings that name no route, or would loosen a floor, are errors.
func New(d Deps) (*API, error) {
	schemas, err := componentSchemas(d.Features.SourceModel)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	a := &API{deps: d, mux: http.NewServeMux(), reqs: map[string]map[string]authz.Requirement{}, schemas: schemas}
	a.routes = a.table()
	if err := a.checkOverrides(); err != nil {
		return nil, err
	}
	for i := range a.routes {
		rt := &a.routes[i]
		a.reqs[rt.Name] = map[string]authz.Requirement{}
		h := a.middleware(rt)
		for _, m := range rt.Methods {
			a.reqs[rt.Name][m] = a.requirement(rt, m)
		}
		for _, m := range rt.Methods {
			a.mux.Handle(m+" "+rt.Pattern, h)
			// ServeMux would redirect a subtree's root without its slash
			// ("/proxy" → "/proxy/"), and a browser would follow that to
			// Grafana's root: serve the root as the subtree's empty rest.
			if i := strings.LastIndex(rt.Pattern, "/{"); i > 0 && strings.HasSuffix(rt.Pattern, "...}") {
				a.mux.Handle(m+" "+rt.Pattern[:i], h)
			}
		}
	}
	// Everything no route matches lands here, so unknown paths and methods
	// get JSON errors (and no trailing-slash redirect ever leaves the mux).
	a.mux.HandleFunc("/", a.unmatched)
	doc, err := a.buildOpenAPI()
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	a.openapi = doc
	return a, nil
}

// Routes returns the table (read-only use).
func (a *API) Routes() []Route { return a.routes }

// ServeHTTP routes a call.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// unmatched answers 405 with Allow when the path exists for other methods,
// 404 otherwise, both as JSON.
func (a *API) unmatched(w http.ResponseWriter, r *http.Request) {
	if allow := a.allowedMethods(r.URL.Path); len(allow) > 0 {
		e := apierr.New(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s; allowed: %s",
			r.Method, r.URL.Path, strings.Join(allow, ", "))
		e.Allow = strings.Join(allow, ", ")
		apierr.Write(w, r, e)
		return
	}
	apierr.Write(w, r, apierr.NotFound("no resource route %s; see /openapi.json for the routes", r.URL.Path))
}

// allowedMethods lists the methods a route serves on path, probing the mux
// with each declared method (only on the error path).
func (a *API) allowedMethods(path string) []string {
	seen := map[string]bool{}
	for _, rt := range a.routes {
		for _, m := range rt.Methods {
			probe, _ := http.NewRequest(m, path, nil)
			if probe == nil {
				continue
			}
			if _, p := a.mux.Handler(probe); p != "/" {
				seen[m] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// requirement derives a route's policy for one method, tightened by settings.
func (a *API) requirement(rt *Route, method string) authz.Requirement {
	req := authz.Requirement{Scope: rt.Name, MinRole: rt.roleFor(method), Public: rt.Public}
	if o, ok := a.deps.Settings.Routes[rt.Name]; ok {
		t := authz.Requirement{Users: o.Users, APIKey: o.APIKeyRequired, Public: o.MinRole == nil && rt.Public}
		if o.MinRole != nil {
			t.MinRole = *o.MinRole
		}
		req = req.Tighten(t)
	}
	return req
}

func (a *API) checkOverrides() error {
	var errs settings.Errors
	names := map[string]*Route{}
	for i := range a.routes {
		names[a.routes[i].Name] = &a.routes[i]
	}
	for name, o := range a.deps.Settings.Routes {
		rt, ok := names[name]
		field := "jsonData.routes." + name
		switch {
		case !ok:
			errs = append(errs, &settings.FieldError{Field: field, Message: "no such route (see /openapi.json operationIds)"})
		case o.MinRole != nil && *o.MinRole < rt.MinRole:
			errs = append(errs, &settings.FieldError{Field: field + ".minRole",
				Message: fmt.Sprintf("cannot loosen %s below its floor %s", name, rt.MinRole)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
