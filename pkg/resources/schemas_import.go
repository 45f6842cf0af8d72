package resources

import "github.com/getkin/kin-openapi/openapi3"

// importSchemas are the request and proposal of POST /openapi/import
// (pkg/openapiimport), each with an example from the demo API's document.
func importSchemas(schemas map[string]*openapi3.Schema) {
	rule := props([]string{"path", "methods", "minRole", "operationId"}, "path", str(), "methods", arr(str()),
		"minRole", roleSchema, "operationId", str(), "template", str())
	param := props([]string{"name", "type"}, "name", str(), "type", enum("string", "number", "integer", "boolean"),
		"required", boolean(), "enum", arr(anyv()), "pattern", str(), "min", num(), "max", num(), "description", str(),
		"default", anyv())
	action := props([]string{"name", "method", "path", "minRole", "operationId"}, "name", str(), "title", str(),
		"description", str(), "method", str(), "path", str(), "query", obj(), "body", anyv(), "params", arr(param),
		"minRole", roleSchema, "confirm", str(), "upstream", str(), "operationId", str())
	query := props([]string{"path", "operationId", "root", "fields"}, "path", str(), "template", str(),
		"operationId", str(), "summary", str(), "root", str(),
		"fields", arr(props([]string{"name", "type"}, "name", str(), "type", str())), "params", arr(str()))
	schemas["OpenAPIImportRequest"] = props(nil, "upstream", str(), "path", str(), "document", anyv(), "basePath", str())
	schemas["OpenAPIImportRequest"].Example = map[string]any{"upstream": "_default", "path": "/openapi.json"}
	schemas["OpenAPIImportProposal"] = props([]string{"source", "rules", "actions", "queries", "notes", "stats"},
		"source", props([]string{"openapi", "basePath", "bytes"}, "openapi", str(), "title", str(), "version", str(),
			"basePath", str(), "upstream", str(), "bytes", intg()),
		"rules", arr(rule), "actions", arr(action), "queries", arr(query),
		"notes", arr(props([]string{"message"}, "method", str(), "path", str(), "operationId", str(), "message", str())),
		"stats", props(nil, "operations", intg(), "rules", intg(), "actions", intg(), "queries", intg()))
	schemas["OpenAPIImportProposal"].Example = map[string]any{
		"source": map[string]any{"openapi": "3.0.3", "title": "Relay demo API", "version": "1.0.0", "basePath": "", "bytes": 5120},
		"rules": []any{
			map[string]any{"path": "/api/items", "methods": []any{"GET"}, "minRole": "Viewer", "operationId": "listItems"},
			map[string]any{"path": "/api/items/*", "methods": []any{"DELETE"}, "minRole": "Editor", "operationId": "deleteItem",
				"template": "/api/items/{id}"}},
		"actions": []any{map[string]any{"name": "deleteItem", "title": "Delete an item", "method": "DELETE",
			"path": "/api/items/{id}", "minRole": "Editor", "operationId": "deleteItem", "confirm": "Run deleteItem (DELETE /api/items/{id})?",
			"params": []any{map[string]any{"name": "id", "type": "integer", "required": true, "min": 1}}}},
		"queries": []any{map[string]any{"path": "/api/items", "operationId": "listItems", "root": "items",
			"fields": []any{map[string]any{"name": "id", "type": "int64"}, map[string]any{"name": "created_at", "type": "time"}},
			"params": []any{"category", "limit", "offset"}}},
		"notes": []any{map[string]any{"method": "POST", "path": "/api/items", "operationId": "createItem",
			"message": `action createItem: body property "tags": is an array; actions take scalar parameters, not mapped`}},
		"stats": map[string]any{"operations": 6, "rules": 6, "actions": 3, "queries": 3},
	}
}
