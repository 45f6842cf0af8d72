package resources

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// How a caller authenticates. Grafana authenticates every call before
// Relay sees it (a browser session, a service-account token, or basic
// auth); a route or action may in addition require a Relay API key.
const (
	schemeSession = "grafanaSession"
	schemeToken   = "serviceAccountToken"
	schemeBasic   = "basicAuth"
	schemeAPIKey  = "relayApiKey"
)

func securitySchemes() openapi3.SecuritySchemes {
	return openapi3.SecuritySchemes{
		schemeSession: {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("cookie").WithName("grafana_session").
			WithDescription("A Grafana browser session (the grafana_session cookie Grafana sets at login)")},
		schemeToken: {Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer").
			WithDescription("A Grafana service-account token: Authorization: Bearer glsa_…")},
		schemeBasic: {Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("basic").
			WithDescription("Grafana basic auth (a Grafana user's login and password), when Grafana allows it")},
		schemeAPIKey: {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("header").WithName("X-API-Key").
			WithDescription("A Relay API key (jsonData.apiKeys), in addition to the Grafana identity, for routes and actions that require one")},
	}
}

// apiKeyUse says whether an operation needs a Relay API key besides the
// Grafana identity.
type apiKeyUse int

const (
	apiKeyNever  apiKeyUse = iota
	apiKeyAlways           // the route or action requires one
	apiKeyMaybe            // the generic /actions/{name}: some actions do
)

// security lists the accepted ways in: any Grafana identity, each with the
// API key when one is (or may be) needed.
func security(key apiKeyUse) *openapi3.SecurityRequirements {
	var reqs openapi3.SecurityRequirements
	for _, id := range []string{schemeSession, schemeToken, schemeBasic} {
		if key != apiKeyAlways {
			reqs = append(reqs, openapi3.SecurityRequirement{id: []string{}})
		}
		if key != apiKeyNever {
			reqs = append(reqs, openapi3.SecurityRequirement{id: []string{}, schemeAPIKey: []string{}})
		}
	}
	return &reqs
}

// tagDescriptions describe the operations' tags, in the document's order.
var tagDescriptions = []struct{ name, desc string }{
	{"meta", "This document, the caller's view of the data source, and the audit"},
	{"proxy", "The gateway to the upstream APIs, under the proxy rules"},
	{"transform", "Pipelines from upstream answers or inline data to data frames, and field discovery"},
	{"actions", "Named write operations with typed parameters"},
}

// tags lists the tags the document's operations use.
func tags(doc *openapi3.T) openapi3.Tags {
	used := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, t := range op.Tags {
				used[t] = true
			}
		}
	}
	var out openapi3.Tags
	for _, t := range tagDescriptions {
		if used[t.name] {
			out = append(out, &openapi3.Tag{Name: t.name, Description: t.desc})
		}
	}
	return out
}

// errorStatuses are the client errors an operation documents, each a shared
// response with the {error, code, status} body and a typical example.
var errorStatuses = map[int]struct{ name, code, msg string }{
	http.StatusBadRequest:            {"BadRequest", "bad_request", "the body must be {data | source, pipeline}: unknown field \"sourc\""},
	http.StatusForbidden:             {"Forbidden", "role_required", "transform requires the Viewer role or higher; the caller's role is None"},
	http.StatusNotFound:              {"NotFound", "action_not_found", "no action named \"reboot\"; GET /actions lists them"},
	http.StatusRequestEntityTooLarge: {"PayloadTooLarge", "body_too_large", "request body exceeds the limit of 65536 bytes"},
	http.StatusTooManyRequests:       {"TooManyRequests", "rate_limited", "rate limit for read calls exceeded; retry in 2s"},
}

// errorCodes picks the client errors of an operation: 403 unless public,
// 429 always (every call is rate limited), 400 when it takes input, 404 for
// a named resource, 413 when it takes a limited body.
func errorCodes(public, input, named, body bool) []int {
	var codes []int
	if input {
		codes = append(codes, http.StatusBadRequest)
	}
	if !public {
		codes = append(codes, http.StatusForbidden)
	}
	if named {
		codes = append(codes, http.StatusNotFound)
	}
	if body {
		codes = append(codes, http.StatusRequestEntityTooLarge)
	}
	return append(codes, http.StatusTooManyRequests)
}

// setErrors adds the operation's client errors and the default error, and
// registers the shared responses they point at.
func (a *API) setErrors(doc *openapi3.T, op *openapi3.Operation, codes []int) {
	op.Responses.Delete("default")
	for _, code := range codes {
		e := errorStatuses[code]
		if _, ok := doc.Components.Responses[e.name]; !ok {
			desc := http.StatusText(code) + ": {error, code, status}"
			mt := openapi3.NewMediaType().WithSchemaRef(a.ref("Error")).WithExample(e.code, map[string]any{
				"error": e.msg, "code": e.code, "status": code, "source": "plugin"})
			doc.Components.Responses[e.name] = &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc,
				Content: openapi3.Content{"application/json": mt}}}
		}
		op.Responses.Set(strconv.Itoa(code), &openapi3.ResponseRef{Ref: "#/components/responses/" + e.name,
			Value: doc.Components.Responses[e.name].Value})
	}
	op.Responses.Set("default", &openapi3.ResponseRef{Ref: "#/components/responses/Error", Value: a.errorResponse()})
}

// hasInput: the operation reads a body or query/header parameters.
func hasInput(op *openapi3.Operation) bool {
	return op.RequestBody != nil || slices.ContainsFunc(op.Parameters, func(p *openapi3.ParameterRef) bool {
		return p.Value != nil && p.Value.In != openapi3.ParameterInPath
	})
}
