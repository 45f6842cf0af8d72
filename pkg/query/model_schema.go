package query

import "github.com/getkin/kin-openapi/openapi3"

// The OpenAPI document derives /transform's source schema from the query
// model by reflection (pkg/resources, schemas_model.go). Types whose JSON
// form differs from their Go type describe themselves here (openapi3gen's
// SetSchemar); string fields with a fixed set of values carry an `enum` tag.

// SetSchema: a parameter value is a string or a list of strings.
func (ParamValue) SetSchema(s *openapi3.Schema) {
	s.Description = "A value, or a list of values sent as a repeated parameter"
	s.OneOf = openapi3.SchemaRefs{openapi3.NewStringSchema().NewRef(),
		openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()).NewRef()}
}

// SetSchema: the accepted modes, from PaginationModes.
func (PaginationMode) SetSchema(s *openapi3.Schema) {
	s.Type = &openapi3.Types{openapi3.TypeString}
	for _, m := range PaginationModes() {
		s.Enum = append(s.Enum, string(m))
	}
}
