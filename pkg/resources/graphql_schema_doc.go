package resources

import "github.com/getkin/kin-openapi/openapi3"

// graphQLSchemaAnswer describes GET /graphql/schema's answer: the data of
// the upstream's introspection, as GraphQL defines it (not restated here).
func graphQLSchemaAnswer() *openapi3.SchemaRef {
	s := props([]string{"__schema"}, "__schema", obj())
	s.Example = map[string]any{"__schema": map[string]any{
		"queryType": map[string]any{"name": "Query"}, "mutationType": nil, "subscriptionType": nil,
		"types": []any{map[string]any{"kind": "OBJECT", "name": "Query", "fields": []any{
			map[string]any{"name": "items", "args": []any{}, "type": map[string]any{"kind": "SCALAR", "name": "String", "ofType": nil}}}}},
		"directives": []any{}}}
	return s.NewRef()
}
