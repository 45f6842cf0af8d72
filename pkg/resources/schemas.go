package resources

import (
	"github.com/getkin/kin-openapi/openapi3"
)

func str() *openapi3.Schema                       { return openapi3.NewStringSchema() }
func num() *openapi3.Schema                       { return openapi3.NewFloat64Schema() }
func intg() *openapi3.Schema                      { return openapi3.NewIntegerSchema() }
func boolean() *openapi3.Schema                   { return openapi3.NewBoolSchema() }
func obj() *openapi3.Schema                       { return openapi3.NewObjectSchema() }
func anyv() *openapi3.Schema                      { return &openapi3.Schema{} }
func arr(items *openapi3.Schema) *openapi3.Schema { return openapi3.NewArraySchema().WithItems(items) }
func enum(vals ...any) *openapi3.Schema           { return openapi3.NewStringSchema().WithEnum(vals...) }

func nullable(s *openapi3.Schema) *openapi3.Schema {
	s.Nullable = true
	return s
}

func props(required []string, kv ...any) *openapi3.Schema {
	s := obj()
	for i := 0; i < len(kv); i += 2 {
		s.WithProperty(kv[i].(string), kv[i+1].(*openapi3.Schema))
	}
	s.Required = required
	return s
}

var roleSchema = enum("None", "Viewer", "Editor", "Admin")

// componentSchemas are the request/response shapes the routes share; the
// frontend's types are checked against them.
func componentSchemas() openapi3.Schemas {
	frame := props([]string{"schema", "data"}, "schema", obj(), "data", obj())
	frame.Description = "A Grafana data frame in the JSON form /api/ds/query returns"
	pipeline := props(nil,
		"format", enum("json", "ndjson", "csv", "auto"), "root", str(),
		"csv", props(nil, "delimiter", str(), "header", boolean(), "comment", str()),
		"columns", arr(props([]string{"name"}, "name", str(), "selector", str(),
			"type", enum("string", "number", "boolean", "time", "json"), "timeFormat", str(), "default", anyv())),
		"steps", arr(props([]string{"type"}, "type", enum("filter", "compute", "rename", "sort", "limit", "groupBy"))),
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
			"actions", arr(str())),
		"AuditLog": props([]string{"entries"}, "entries", arr(props(nil, "time", str(), "requestId", str(), "login", str(),
			"role", str(), "orgId", intg(), "route", str(), "method", str(), "path", str(), "status", intg(),
			"durationMs", num(), "apiKey", str(), "outcome", enum("allowed", "denied", "error"), "reason", str()))),
		"Pipeline": pipeline,
		"TransformRequest": props([]string{"pipeline"}, "data", anyv(),
			"source", props([]string{"path"}, "method", str(), "path", str(), "params", obj(), "headers", obj(),
				"body", str(), "format", enum("table", "timeseries"),
				"pagination", props([]string{"mode"}, "mode", enum("none", "offset", "page", "cursor", "link"),
					"maxPages", intg(), "offsetParam", str(), "limitParam", str(), "pageSize", intg(), "pageParam", str(),
					"startPage", intg(), "cursorParam", str(), "cursorPath", str(), "nextPath", str())),
			"pipeline", pipeline),
		"TransformResponse": props([]string{"frames"}, "frames", arr(frame), "rows", intg(),
			"notices", arr(props(nil, "severity", str(), "text", str()))),
		"SchemaResponse": props([]string{"fields"}, "fields", arr(props([]string{"path", "type"}, "path", str(), "type", str())),
			"root", str(), "sampleRows", intg()),
		"ActionList": props([]string{"actions"}, "actions", arr(props([]string{"name", "method", "path", "params", "schema"},
			"name", str(), "title", str(), "description", str(), "method", str(), "path", str(), "minRole", roleSchema,
			"apiKeyRequired", boolean(), "confirm", str(),
			"params", arr(props([]string{"name", "type"}, "name", str(), "type", enum("string", "number", "integer", "boolean"),
				"required", boolean(), "enum", arr(anyv()), "pattern", str(), "min", num(), "max", num(), "description", str(),
				"default", nullable(anyv()))),
			"schema", obj()))),
		"ActionParams": props(nil, "params", obj()),
		// One schema for both answers of a run: the result (status, headers,
		// body, ...) and, with dryRun=true, the rendered request.
		"ActionResult": props([]string{"action"}, "action", str(),
			"status", intg(), "headers", obj(), "body", nullable(anyv()), "bodyEncoding", enum("base64"),
			"truncated", boolean(), "replayed", boolean(), "durationMs", num(),
			"dryRun", boolean(), "request", props([]string{"method", "url"}, "method", str(), "url", str(), "headers", obj(),
				"body", nullable(anyv()))),
	}
	schemas["ActionList"].Example = map[string]any{"actions": []any{map[string]any{"name": "create-item", "title": "Create item",
		"method": "POST", "path": "/api/items", "minRole": "Editor", "apiKeyRequired": false, "confirm": "Create this item?",
		"params": []any{map[string]any{"name": "name", "type": "string", "required": true}},
		"schema": map[string]any{"type": "object", "properties": map[string]any{"name": map[string]any{"type": "string"}}}}}}
	schemas["ActionResult"].Example = map[string]any{"action": "create-item", "status": 201,
		"headers": map[string]any{"Content-Type": "application/json", "Location": "/api/items/251"},
		"body":    map[string]any{"id": 251, "name": "Lamp"}, "truncated": false, "replayed": false, "durationMs": 1.4}
	out := openapi3.Schemas{}
	for k, v := range schemas {
		out[k] = v.NewRef()
	}
	return out
}
