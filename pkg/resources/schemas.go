package resources

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/transform"
)

func str() *openapi3.Schema     { return openapi3.NewStringSchema() }
func num() *openapi3.Schema     { return openapi3.NewFloat64Schema() }
func intg() *openapi3.Schema    { return openapi3.NewIntegerSchema() }
func boolean() *openapi3.Schema { return openapi3.NewBoolSchema() }
func obj() *openapi3.Schema     { return openapi3.NewObjectSchema() }
func anyv() *openapi3.Schema    { return &openapi3.Schema{} }

// jsonValue is any JSON value, null included. In OpenAPI 3.0 the empty
// schema does not accept null and nullable needs a type beside it, so it is
// the union of the JSON types with object nullable.
func jsonValue(desc string) *openapi3.Schema {
	s := &openapi3.Schema{Description: desc, AnyOf: openapi3.SchemaRefs{nullable(obj()).NewRef(), arr(anyv()).NewRef(),
		str().NewRef(), num().NewRef(), boolean().NewRef()}}
	return s
}

func nullable(s *openapi3.Schema) *openapi3.Schema {
	s.Nullable = true
	return s
}
func arr(items *openapi3.Schema) *openapi3.Schema { return openapi3.NewArraySchema().WithItems(items) }
func enum(vals ...any) *openapi3.Schema           { return openapi3.NewStringSchema().WithEnum(vals...) }

func props(required []string, kv ...any) *openapi3.Schema {
	s := obj()
	for i := 0; i < len(kv); i += 2 {
		s.WithProperty(kv[i].(string), kv[i+1].(*openapi3.Schema))
	}
	s.Required = required
	return s
}

var roleSchema = enum("None", "Viewer", "Editor", "Admin")

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// componentSchemas are the request/response shapes the routes share; the
// frontend's types are checked against them. sourceModel is the query model
// /transform's source is derived from (nil: an open object, for unit tests
// of other routes).
func componentSchemas(sourceModel any) (openapi3.Schemas, error) {
	frame := props([]string{"schema", "data"}, "schema", obj(), "data", obj())
	frame.Description = "A Grafana data frame in the JSON form /api/ds/query returns"
	pipeline := props(nil,
		"format", enum(anys(transform.Formats())...), "root", str(), "rootSyntax", enum(transform.RootSyntaxGJSON, transform.RootSyntaxJQ),
		"csv", props(nil, "delimiter", str(), "header", boolean(), "comment", str()),
		"columns", arr(props([]string{"name"}, "name", str(), "selector", str(),
			"type", enum(anys(transform.ColumnTypes())...), "timeFormat", str(), "default", anyv(),
			"enum", obj(), "timezone", str())),
		"steps", openapi3.NewArraySchema(),
		"shape", enum("table", "timeseries-long", "timeseries-wide"))
	schemas := map[string]*openapi3.Schema{
		"Error": props([]string{"error", "code", "status"}, "error", str(), "code", str(), "status", intg(),
			"source", enum("plugin", "downstream"), "upstreamStatus", intg(), "details", anyv()),
		"Info": props([]string{"plugin", "datasource", "caller", "routes"},
			"plugin", props(nil, "id", str(), "version", str(), "sdkVersion", str()),
			"datasource", props(nil, "uid", str(), "name", str()),
			"upstream", props(nil, "origin", str(), "authType", str()),
			"features", arr(str()),
			"caller", props(nil, "login", str(), "role", roleSchema, "orgId", intg()),
			"routes", arr(props(nil, "name", str(), "path", str(), "methods", arr(str()), "minRole", roleSchema, "apiKeyRequired", boolean())),
			"proxyRules", arr(props(nil, "path", str(), "methods", arr(str()), "minRole", roleSchema, "cacheTTL", str())),
			"upstreams", arr(props([]string{"name", "origin", "authType", "proxyPath", "proxyRules"}, "name", str(), "default", boolean(),
				"origin", str(), "authType", str(), "proxyPath", str(),
				"proxyRules", arr(props(nil, "path", str(), "methods", arr(str()), "minRole", roleSchema, "cacheTTL", str())))),
			"actions", arr(str())),
		"AuditLog": props([]string{"entries"}, "entries", arr(props(nil, "time", str(), "requestId", str(), "login", str(),
			"role", str(), "orgId", intg(), "route", str(), "upstream", str(), "method", str(), "path", str(), "status", intg(),
			"durationMs", num(), "apiKey", str(), "outcome", enum("allowed", "denied", "error"), "reason", str())),
			"scope", enum("replica", "fleet")),
		"Pipeline": pipeline,
		"TransformResponse": props([]string{"frames"}, "frames", arr(frame), "rows", intg(),
			"notices", arr(props(nil, "severity", str(), "text", str())),
			// Only for a source whose query caches: the effective TTL and how the answer was got.
			"cache", props([]string{"ttl", "from", "perUser"}, "ttl", str(), "from", str(), "staleWhileRevalidate", str(),
				"perUser", boolean(), "result", enum("hit", "remote_hit", "miss", "coalesced", "stale"), "ageSeconds", intg())),
		"SchemaResponse": props([]string{"fields"}, "fields", arr(props([]string{"path", "type"}, "path", str(), "type", str(), "nullable", boolean())),
			"root", str(), "sampleRows", intg(),
			"roots", arr(props([]string{"root", "count"}, "root", str(), "count", intg()))),
		"ActionList": props([]string{"actions"}, "actions", arr(props([]string{"name", "method", "path", "params", "schema"},
			"name", str(), "title", str(), "description", str(), "method", str(), "path", str(), "minRole", roleSchema,
			"apiKeyRequired", boolean(), "confirm", str(),
			"params", arr(props([]string{"name", "type"}, "name", str(), "type", enum("string", "number", "integer", "boolean"),
				"required", boolean(), "enum", arr(anyv()), "pattern", str(), "min", num(), "max", num(), "description", str(),
				"default", jsonValue("The default value, or null"))),
			"schema", obj()))),
		"ActionParams": props(nil, "params", obj()),
		// One schema for both answers of a run: the result (status, headers,
		// body, ...) and, with dryRun=true, the rendered request.
		"ActionResult": props([]string{"action"}, "action", str(),
			"status", intg(), "headers", obj(), "body", jsonValue("The upstream's answer: JSON as JSON, text as a string (base64 with bodyEncoding), null when empty"), "bodyEncoding", enum("base64"),
			"truncated", boolean(), "replayed", boolean(), "durationMs", num(),
			"dryRun", boolean(), "request", props([]string{"method", "url"}, "method", str(), "url", str(), "headers", obj(),
				"body", jsonValue("The rendered body, or null without one"))),
	}
	for name, st := range stepSchemas() {
		schemas[name] = st
	}
	pipeline.Properties["steps"].Value.Items = &openapi3.SchemaRef{Ref: "#/components/schemas/Step", Value: schemas["Step"]}
	pipelineRef := &openapi3.SchemaRef{Ref: "#/components/schemas/Pipeline", Value: pipeline}
	source := obj()
	source.Description = "An upstream call, as a query of a panel: the query model"
	if sourceModel != nil {
		var err error
		if source, err = modelSchema(sourceModel, pipelineRef); err != nil {
			return nil, fmt.Errorf("source schema from the query model: %w", err)
		}
		source.Description = "An upstream call, as a query of a panel (the query model; its pipeline is replaced by the request's)"
	}
	schemas["TransformRequest"] = props([]string{"pipeline"}, "data", anyv(), "source", source)
	schemas["TransformRequest"].WithPropertyRef("pipeline", pipelineRef)
	// The other queries its join, append and forEach read, by name: each {data | source, pipeline} like the request.
	input := props(nil, "data", anyv(), "source", source)
	input.WithPropertyRef("pipeline", pipelineRef)
	inputs := obj().WithAdditionalProperties(input)
	inputs.Description = "The other queries the pipeline's join and append steps and the source's forEach read, by name"
	schemas["TransformRequest"].WithProperty("inputs", inputs)
	addExamples(schemas)
	importSchemas(schemas)
	out := openapi3.Schemas{}
	for k, v := range schemas {
		out[k] = v.NewRef()
	}
	return out, nil
}

// addExamples gives every shared shape a realistic example, taken from the
// dev host and demo API; kin-openapi checks each against its schema when the
// document is built.
func addExamples(schemas map[string]*openapi3.Schema) {
	route := func(name, path string, role string, methods ...any) map[string]any {
		return map[string]any{"name": name, "path": path, "methods": methods, "minRole": role}
	}
	schemas["Error"].Example = map[string]any{"status": 403, "code": "role_required", "source": "plugin",
		"error": "the proxy rule for POST /api/items requires the Editor role or higher; the caller's role is Viewer"}
	schemas["Info"].Example = map[string]any{
		"plugin":     map[string]any{"id": "relay-gateway-datasource", "version": "1.0.0", "sdkVersion": "v0.298.0"},
		"datasource": map[string]any{"uid": "relay-demo", "name": "Relay demo"},
		"upstream":   map[string]any{"origin": "https://api.example.com", "authType": "bearer"},
		"features":   []any{"actions", "audit", "proxy", "schema", "transform"},
		"caller":     map[string]any{"login": "viewer", "role": "Viewer", "orgId": 1},
		"routes": []any{route("openapi", "/openapi.json", "None", "GET"), route("info", "/info", "Viewer", "GET"),
			route("proxy", "/proxy/{path...}", "Viewer", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")},
		"proxyRules": []any{map[string]any{"path": "/", "methods": []any{"GET", "HEAD"}, "minRole": "Viewer"},
			map[string]any{"path": "/api/cacheable", "methods": []any{"GET"}, "minRole": "Viewer", "cacheTTL": "30s"}},
		"upstreams": []any{map[string]any{"name": "default", "default": true, "origin": "https://api.example.com", "authType": "bearer",
			"proxyPath": "/proxy/", "proxyRules": []any{map[string]any{"path": "/", "methods": []any{"GET", "HEAD"}, "minRole": "Viewer"}}},
			map[string]any{"name": "billing", "origin": "https://billing.example.com", "authType": "sigv4", "proxyPath": "/proxy/billing/",
				"proxyRules": []any{map[string]any{"path": "/invoices", "methods": []any{"GET"}, "minRole": "Viewer"}}}},
		"actions": []any{"find-items"},
	}
	schemas["AuditLog"].Example = map[string]any{"entries": []any{map[string]any{"time": "2026-11-27T12:18:27.234Z",
		"requestId": "3cb4277ad7c62cc2", "login": "editor", "role": "Editor", "orgId": 1, "route": "proxy",
		"method": "POST", "path": "/proxy/api/items", "status": 201, "durationMs": 0.879, "outcome": "allowed"}}, "scope": "replica"}
	pipeline := map[string]any{"root": "items", "steps": []any{
		map[string]any{"type": "filter", "expr": "price > 20"},
		map[string]any{"type": "sort", "by": []any{map[string]any{"field": "price", "desc": true}}}}}
	schemas["Pipeline"].Example = pipeline
	schemas["TransformRequest"].Example = map[string]any{
		"source":   map[string]any{"path": "/api/items", "params": map[string]any{"limit": "5"}},
		"pipeline": pipeline,
	}
	schemas["TransformResponse"].Example = map[string]any{"rows": 2, "notices": []any{},
		"frames": []any{map[string]any{
			"schema": map[string]any{"name": "result", "fields": []any{
				map[string]any{"name": "host", "type": "string", "typeInfo": map[string]any{"frame": "string", "nullable": true}},
				map[string]any{"name": "cpu", "type": "number", "typeInfo": map[string]any{"frame": "float64", "nullable": true}}}},
			"data": map[string]any{"values": []any{[]any{"a", "b"}, []any{0.5, nil}}}}}}
	schemas["SchemaResponse"].Example = map[string]any{"root": "items", "sampleRows": 200, "fields": []any{
		map[string]any{"path": "id", "type": "number", "nullable": false},
		map[string]any{"path": "name", "type": "string", "nullable": false},
		map[string]any{"path": "created_at", "type": "time", "nullable": false},
		map[string]any{"path": "rating", "type": "number", "nullable": true}}}
	schemas["ActionParams"].Example = map[string]any{"params": map[string]any{"name": "Lamp", "price": 12.5}}
	schemas["ActionList"].Example = map[string]any{"actions": []any{map[string]any{"name": "create-item", "title": "Create item",
		"method": "POST", "path": "/api/items", "minRole": "Editor", "apiKeyRequired": false, "confirm": "Create this item?",
		"params": []any{map[string]any{"name": "name", "type": "string", "required": true}},
		"schema": map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}}}}}
	schemas["ActionResult"].Example = map[string]any{"action": "create-item", "status": 201,
		"headers": map[string]any{"Content-Type": "application/json", "Location": "/api/items/251"},
		"body":    map[string]any{"id": 251, "name": "Lamp"}, "truncated": false, "replayed": false, "durationMs": 1.4}
}
