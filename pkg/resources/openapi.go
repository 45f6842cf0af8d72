package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/authz"
)

type paramRef = openapi3.ParameterRef

// buildOpenAPI derives the document from the route table (and the actions
// and proxy rules of this data source), then validates it.
func (a *API) buildOpenAPI() ([]byte, error) {
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title:   "Relay resource API",
			Version: "1",
			Description: "Resource routes of the Relay data source, served by Grafana at " +
				"/api/datasources/uid/{uid}/resources. Authenticate to Grafana as usual (session, basic auth or a " +
				"service-account token); Relay then applies its own per-route policy.",
			License: &openapi3.License{Name: "Apache-2.0", URL: "https://www.apache.org/licenses/LICENSE-2.0"},
			Contact: &openapi3.Contact{Name: "Relay", URL: "https://github.com/relay-gateway/relay"},
		},
		Servers: openapi3.Servers{{URL: "/api/datasources/uid/" + a.deps.Settings.UID + "/resources",
			Description: "This data source's resource API, on the Grafana server"}},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: a.schemas, SecuritySchemes: securitySchemes(),
			Responses: openapi3.ResponseBodies{"Error": {Value: a.errorResponse()}}},
	}
	for i := range a.routes {
		rt := &a.routes[i]
		item := doc.Paths.Value(openapiPath(rt.Pattern))
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(openapiPath(rt.Pattern), item)
		}
		for _, m := range rt.Methods {
			item.SetOperation(m, a.operation(doc, rt, m))
		}
	}
	if f := a.deps.Features.Proxy; f != nil {
		if item := doc.Paths.Value("/proxy/{path}"); item != nil {
			item.Extensions = map[string]any{"x-relay-proxy-rules": f.Rules()}
			rules := describeRules(f.Rules())
			if u, ok := f.(UpstreamsFeature); ok {
				if ups := u.Upstreams(nil); len(ups) > 1 {
					// The document is public: upstream names and paths, not their origins (/info has those, for Viewers).
					for i := range ups {
						ups[i].Origin = ""
					}
					item.Extensions["x-relay-upstreams"] = ups
					rules += describeUpstreams(ups)
					a.addUpstreamPaths(doc, ups)
				}
			}
			for _, op := range item.Operations() {
				op.Description += rules
			}
		}
	}
	a.addActionPaths(doc)
	doc.Tags = tags(doc)
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (a *API) operation(doc *openapi3.T, rt *Route, method string) *openapi3.Operation {
	req := a.reqs[rt.Name][method]
	op := &openapi3.Operation{
		OperationID: rt.Name,
		Summary:     rt.Summary,
		Description: rt.Description,
		Tags:        []string{rt.Tag},
		Parameters:  openapi3.Parameters(rt.Params),
		RequestBody: rt.RequestBody,
		Responses:   openapi3.NewResponses(),
		Extensions: map[string]any{
			"x-relay-min-role":         req.EffectiveRole().String(),
			"x-relay-api-key-required": req.APIKey,
			"x-relay-rate-class":       rt.classFor(method),
			"x-relay-body-limit":       rt.BodyLimit,
			"x-relay-timeout":          rt.Timeout.String(),
		},
	}
	if len(rt.Methods) > 1 {
		op.OperationID = rt.Name + "." + strings.ToLower(method)
	}
	if method == http.MethodGet || method == http.MethodHead || method == http.MethodDelete || method == http.MethodOptions {
		if rt.Name == "proxy" {
			op.RequestBody = nil
		}
	}
	key := apiKeyNever
	switch {
	case req.APIKey:
		key = apiKeyAlways
	case rt.APIKeyPerItem:
		key = apiKeyMaybe
	}
	op.Security = security(key)
	a.setErrors(doc, op, errorCodes(req.Public, hasInput(op), strings.Contains(rt.Pattern, "{"),
		rt.BodyLimit > 0 && op.RequestBody != nil))
	for code, resp := range rt.Responses {
		op.Responses.Set(strconv.Itoa(code), resp)
	}
	if rt.Passthrough {
		op.Responses.Set("2XX", rawResponse("The upstream's answer, streamed as it sent it"))
		op.Responses.Set("4XX", rawResponse("Relay's refusal ({error, code, status}: 403 no rule allows the call or the role is too low, "+
			"413 body too large, 429 rate limited) or the upstream's own 4xx answer, as it sent it"))
		for _, code := range []string{"400", "403", "404", "413", "429"} {
			op.Responses.Delete(code)
		}
	}
	return op
}

// describeRules lists the proxy rules for the proxy operations' description.
func describeRules(rules []authz.RuleView) string {
	var b strings.Builder
	b.WriteString("\n\nProxy rules of this data source (the most specific matching rule decides):")
	for _, r := range rules {
		fmt.Fprintf(&b, "\n- `%s` %s: %s or higher", r.Path, strings.Join(r.Methods, ", "), r.MinRole)
		if r.CacheTTL != "" {
			fmt.Fprintf(&b, "; GET cached for %s (X-Cache: HIT, MISS or REVALIDATED)", r.CacheTTL)
		}
	}
	return b.String()
}

// openapiPath turns a ServeMux pattern into an OpenAPI path template.
func openapiPath(pattern string) string {
	return strings.ReplaceAll(pattern, "...}", "}")
}

func (a *API) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(a.openapi)
}

// OpenAPI returns the generated document.
func (a *API) OpenAPI() []byte { return a.openapi }

func (a *API) errorResponse() *openapi3.Response {
	desc := "Error: {error, code, status}"
	return &openapi3.Response{Description: &desc, Content: openapi3.NewContentWithJSONSchemaRef(a.ref("Error"))}
}

func jsonResponse(code int, desc string, schema *openapi3.SchemaRef) map[int]*openapi3.ResponseRef {
	return map[int]*openapi3.ResponseRef{code: {Value: &openapi3.Response{Description: &desc,
		Content: openapi3.NewContentWithJSONSchemaRef(schema)}}}
}

func rawResponse(desc string) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc,
		Content: openapi3.Content{"*/*": &openapi3.MediaType{Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{}}}}}}
}

func csvOrJSONResponse(code int, desc string, schema *openapi3.SchemaRef) map[int]*openapi3.ResponseRef {
	r := jsonResponse(code, desc, schema)
	r[code].Value.Content["text/csv"] = openapi3.NewMediaType().WithSchema(str().WithFormat("csv"))
	return r
}

func jsonBody(desc string, schema *openapi3.SchemaRef) *openapi3.RequestBodyRef {
	return &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithDescription(desc).WithRequired(true).
		WithJSONSchemaRef(schema)}
}

// ref points at a component schema of this instance's document.
func (a *API) ref(name string) *openapi3.SchemaRef {
	return &openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: a.schemas[name].Value}
}

func objectSchema() *openapi3.SchemaRef { return openapi3.NewObjectSchema().NewRef() }

// openAPIDocSchema describes this document itself, with the start of it as example.
func openAPIDocSchema() *openapi3.SchemaRef {
	s := props([]string{"openapi", "info", "paths"}, "openapi", str(), "info", obj(), "paths", obj())
	s.Example = map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "Relay resource API", "version": "1"},
		"paths": map[string]any{"/info": map[string]any{"get": map[string]any{"operationId": "info"}}}}
	return s.NewRef()
}

func queryParam(name, desc, typ string, required bool) *paramRef {
	p := openapi3.NewQueryParameter(name).WithDescription(desc).WithSchema(&openapi3.Schema{Type: &openapi3.Types{typ}})
	p.Required = required
	return &paramRef{Value: p}
}

func pathParam(name, desc string) *paramRef {
	return &paramRef{Value: openapi3.NewPathParameter(name).WithDescription(desc).WithSchema(openapi3.NewStringSchema())}
}

func headerParam(name, desc string) *paramRef {
	return &paramRef{Value: openapi3.NewHeaderParameter(name).WithDescription(desc).WithSchema(openapi3.NewStringSchema())}
}

// addActionPaths documents each configured action as its own path with its
// parameter schema, next to the generic /actions/{name}.
func (a *API) addActionPaths(doc *openapi3.T) {
	f := a.deps.Features.Actions
	if f == nil {
		return
	}
	for _, d := range f.Docs() {
		body := openapi3.NewObjectSchema().WithProperty("params", d.Params)
		if d.Params != nil && d.Params.Example != nil {
			body.Example = map[string]any{"params": d.Params.Example}
		}
		params := openapi3.Parameters{queryParam("dryRun", "Render the upstream request without calling it", "boolean", false),
			headerParam("Idempotency-Key", "Replays the first result for the same key (10 minutes, per caller)")}
		key := apiKeyNever
		if d.APIKeyRequired || a.reqs["actions.run"][http.MethodPost].APIKey {
			key = apiKeyAlways // the action's own (scoped for action:<name>), or the route's by settings
		}
		op := &openapi3.Operation{
			OperationID: "action." + d.Name,
			Summary:     d.Title,
			Description: d.Description,
			Tags:        []string{"actions"},
			Parameters:  params,
			RequestBody: jsonBody("Parameters of "+d.Name, body.NewRef()),
			Responses:   openapi3.NewResponses(),
			Extensions:  map[string]any{"x-relay-min-role": d.MinRole.String(), "x-relay-api-key-required": d.APIKeyRequired},
			Security:    security(key),
		}
		a.setErrors(doc, op, errorCodes(false, true, false, true))
		op.Responses.Set("200", jsonResponse(200, "The upstream's answer", a.ref("ActionResult"))[200])
		doc.Paths.Set("/actions/"+d.Name, &openapi3.PathItem{Post: op})
	}
}

// describeUpstreams names the named upstreams and their paths for the proxy
// operation's description.
func describeUpstreams(ups []authz.UpstreamView) string {
	var b strings.Builder
	b.WriteString("\n\nUpstreams:")
	const shown = 50
	for i, u := range ups {
		if i == shown {
			fmt.Fprintf(&b, "\n- and %d more (see /info)", len(ups)-shown)
			break
		}
		fmt.Fprintf(&b, "\n- `%s` (%s auth): %s", u.Name, u.AuthType, u.ProxyPath)
	}
	return b.String()
}

// addUpstreamPaths describes /proxy/<name>/{path} of each named upstream:
// the methods its rules allow, and the rules themselves, so a client
// generated from the document has one operation per upstream and method.
func (a *API) addUpstreamPaths(doc *openapi3.T, ups []authz.UpstreamView) {
	var proxy *Route
	for i := range a.routes {
		if a.routes[i].Name == "proxy" {
			proxy = &a.routes[i]
		}
	}
	for _, u := range ups {
		if u.Default || proxy == nil {
			continue
		}
		item := &openapi3.PathItem{Extensions: map[string]any{"x-relay-upstream": u.Name}}
		for _, m := range proxyMethods {
			if !slices.ContainsFunc(u.ProxyRules, func(r authz.RuleView) bool { return slices.Contains(r.Methods, m) }) {
				continue
			}
			op := a.operation(doc, proxy, m)
			op.OperationID = "proxy." + u.Name + "." + strings.ToLower(m)
			op.Summary = "Forward a call to the upstream " + u.Name
			op.Description = "Forwards to the named upstream " + u.Name + " (" + u.AuthType +
				" auth) with its credentials injected server side." + describeRules(u.ProxyRules)
			op.Parameters = openapi3.Parameters{pathParam("path", "Path below the upstream's URL")}
			item.SetOperation(m, op)
		}
		if len(item.Operations()) > 0 {
			doc.Paths.Set(strings.TrimSuffix(u.ProxyPath, "/")+"/{path}", item)
		}
	}
}
