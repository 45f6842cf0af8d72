package resources

import (
	"net/http"
	"time"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Body limits for Relay's own JSON endpoints. The proxy's comes from settings.
const (
	smallBody     = 64 << 10
	transformBody = 15 << 20 // under the SDK's 16 MiB gRPC message limit
	// importBody is openapiimport.BodyLimit: a pasted 20 MB description and
	// the request around it (the plugin accepts gRPC messages of 64 MiB,
	// plugin.MaxMessageBytes; the SDK's default of 16 MiB is raised).
	importBody = 20<<20 + 64<<10
)

// proxyMethods are the methods the gateway accepts at all; the proxy rules
// decide which of them a caller may use on which path.
var proxyMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// table is THE declaration of Relay's resource routes.
func (a *API) table() []Route {
	s := a.deps.Settings
	f := a.deps.Features
	routes := []Route{
		{
			Name: "openapi", Methods: []string{http.MethodGet}, Pattern: "/openapi.json", Public: true,
			Timeout: 5 * time.Second, Tag: "meta",
			Summary:     "OpenAPI document of this resource API",
			Description: "Generated from the route table, so it always matches what the router and the policy enforce. Public: callable without a role.",
			Responses:   jsonResponse(200, "The OpenAPI 3 document", openAPIDocSchema()),
			Handler:     a.serveOpenAPI,
		},
		{
			Name: "info", Methods: []string{http.MethodGet}, Pattern: "/info", MinRole: role.Viewer,
			Timeout: 5 * time.Second, Tag: "meta",
			Summary:     "Plugin, data source and caller information",
			Description: "Plugin and SDK version, data source, upstream origin (never credentials), enabled features, the caller's identity and the routes, proxy rules and actions this caller may use, computed by the code that enforces them.",
			Responses:   jsonResponse(200, "Information", a.ref("Info")),
			Handler:     a.serveInfo,
		},
		{
			Name: "audit", Methods: []string{http.MethodGet}, Pattern: "/audit", MinRole: role.Admin,
			Timeout: 5 * time.Second, Tag: "meta",
			Summary:     "Recent audit entries (Admin)",
			Description: "Newest first: mutating calls, action runs, API key use and denied attempts. Never bodies or secrets.",
			Params:      []*paramRef{queryParam("limit", "Maximum number of entries", "integer", false)},
			Responses:   jsonResponse(200, "Audit entries", a.ref("AuditLog")),
			Handler:     a.serveAudit,
		},
	}
	if f.Proxy != nil {
		routes = append(routes, Route{
			Name: "proxy", Methods: proxyMethods, Pattern: "/proxy/{path...}", MinRole: role.Viewer,
			BodyLimit: proxyBodyLimit(s), Timeout: proxyTimeout(s), Tag: "proxy",
			Summary:     "Forward a call to the upstream API",
			Description: "Forwards to the configured upstream with credentials injected server side. Allowed methods and paths come from the proxy rules (see /info); everything else is refused. Responses stream. A named upstream is reached at /proxy/<name>/<path> (its name claims the first segment); /proxy/_default/<path> is always the default upstream.",
			Params:      []*paramRef{pathParam("path", "Upstream path below the configured URL, or <upstream name>/<path>")},
			Passthrough: true,
			Handler:     f.Proxy.ServeHTTP,
		})
	}
	if f.Transform != nil {
		routes = append(routes, Route{
			Name: "transform", Methods: []string{http.MethodPost}, Pattern: "/transform", MinRole: role.Viewer,
			Class: settings.RateClassTransform, BodyLimit: transformBody, Timeout: s.Transform.Timeout.Duration + s.Timeouts.Request.Duration, Tag: "transform",
			Summary:     "Run a transformation pipeline",
			Description: "Turns inline data or an upstream response (through the proxy rules and the caller's permissions) into data frames, in the JSON form /api/ds/query returns; Accept: text/csv returns CSV.",
			RequestBody: jsonBody("Data or source, and the pipeline", a.ref("TransformRequest")),
			Responses:   csvOrJSONResponse(200, "Frames (as CSV with Accept: text/csv)", a.ref("TransformResponse")),
			Handler:     f.Transform,
		})
	}
	if f.Schema != nil {
		routes = append(routes, Route{
			Name: "schema", Methods: []string{http.MethodGet}, Pattern: "/schema", MinRole: role.Viewer,
			Class: settings.RateClassTransform, Timeout: s.Timeouts.Request.Duration, Tag: "transform",
			Summary:     "Discover field paths of an upstream response",
			Description: "Fetches a sample from the upstream (same rules as the proxy) and returns field paths with inferred types, for the query editor; for XML and HTML also candidate roots (repeated element paths, table row selectors) with counts.",
			Params: []*paramRef{queryParam("path", "Upstream path", "string", true),
				queryParam("root", "Row selector (gjson path; XML path for xml, CSS selector for html, jq program with rootSyntax jq)", "string", false),
				queryParam("rootSyntax", "gjson (default) or jq", "string", false),
				queryParam("format", "json, ndjson, csv, xml, html or auto", "string", false),
				queryParam("upstream", "Upstream name (default: the data source's own)", "string", false)},
			Responses: jsonResponse(200, "Fields", a.ref("SchemaResponse")),
			Handler:   f.Schema,
		})
	}
	if f.GraphQLSchema != nil {
		routes = append(routes, Route{
			Name: "graphql.schema", Methods: []string{http.MethodGet}, Pattern: "/graphql/schema", MinRole: role.Viewer,
			Class: settings.RateClassTransform, Timeout: s.Timeouts.Request.Duration, Tag: "transform",
			Summary:     "An upstream's GraphQL schema (introspection)",
			Description: "Sends an introspection query to the upstream's GraphQL path as the caller's query (the proxy rules apply; a rule with a graphql block must allow introspection) and answers its data ({\"__schema\": ...}), for the query editor's completion and validation. Cached by the query cache for 5 minutes; at most 4 MiB.",
			Params: []*paramRef{queryParam("path", "The upstream's GraphQL path (default /graphql)", "string", false),
				queryParam("upstream", "Upstream name (default: the data source's own)", "string", false)},
			Responses: jsonResponse(200, "The introspection result's data", graphQLSchemaAnswer()),
			Handler:   f.GraphQLSchema,
		})
	}
	if f.Actions != nil {
		routes = append(routes,
			Route{
				Name: "actions.list", Methods: []string{http.MethodGet}, Pattern: "/actions", MinRole: role.Viewer,
				Timeout: 5 * time.Second, Tag: "actions",
				Summary:     "Named actions the caller may run",
				Description: "Each with its parameter schema, method and confirmation text.",
				Responses:   jsonResponse(200, "Actions", a.ref("ActionList")),
				Handler:     f.Actions.List,
			},
			Route{
				Name: "actions.run", Methods: []string{http.MethodPost}, Pattern: "/actions/{name}", MinRole: role.Viewer,
				Class: settings.RateClassAction, BodyLimit: smallBody, Timeout: s.Timeouts.Request.Duration, AlwaysAudit: true, Tag: "actions",
				APIKeyPerItem: true,
				Summary:       "Run a named action",
				Description:   "Validates the parameters, renders the upstream request safely and calls it. Each action has its own minimum role and may require an API key. dryRun=true returns the rendered request without calling; Idempotency-Key replays the first result.",
				Params: []*paramRef{pathParam("name", "Action name"), queryParam("dryRun", "Render without calling", "boolean", false),
					headerParam("Idempotency-Key", "Replays the first result for the same key")},
				RequestBody: jsonBody("Parameters", a.ref("ActionParams")),
				Responses:   jsonResponse(200, "The upstream's answer", a.ref("ActionResult")),
				Handler:     f.Actions.Run,
			})
	}
	if f.OpenAPIImport != nil {
		routes = append(routes, Route{
			Name: "openapi.import", Methods: []string{http.MethodPost}, Pattern: "/openapi/import", MinRole: role.Admin,
			BodyLimit: importBody, Timeout: s.Timeouts.Request.Duration + 30*time.Second, AlwaysAudit: true, Tag: "meta",
			Summary:     "Propose configuration from an API's OpenAPI description (Admin)",
			Description: "Reads an OpenAPI 3.0/3.1 or Swagger 2.0 document, fetched from an upstream (through its client and proxy rules, as the caller) or pasted (up to 20 MB), and answers a proposal: proxy rules (GET/HEAD for Viewers, writes for Editors), named actions with typed parameters from write operations, and query paths with typed fields and their row root. Changes nothing; what cannot be mapped is listed in notes. Only internal $refs are resolved.",
			RequestBody: jsonBody("{upstream, path} or {document}", a.ref("OpenAPIImportRequest")),
			Responses:   jsonResponse(200, "The proposal", a.ref("OpenAPIImportProposal")),
			Handler:     f.OpenAPIImport,
		})
	}
	return routes
}

// proxyTimeout bounds a proxied call: the request timeout, or the longest
// rule timeout when a rule allows more (e.g. for large downloads).
func proxyTimeout(s *settings.Settings) time.Duration {
	d := time.Duration(0)
	for _, u := range s.Upstreams {
		d = max(d, u.Timeouts.Request.Duration)
		for _, r := range u.Proxy.Rules {
			d = max(d, r.Timeout.Duration)
		}
	}
	return d
}

// proxyBodyLimit is the largest request body any upstream accepts; the
// gateway of each named upstream applies its own (proxy.Router).
func proxyBodyLimit(s *settings.Settings) int64 {
	n := int64(0)
	for _, u := range s.Upstreams {
		n = max(n, u.Proxy.MaxRequestBytes)
	}
	return n
}
