package resources

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/transform"
)

// stepSchemas derives the pipeline step schemas from the transform step
// registry: one component per step type (its "type" constant, its own fields,
// no others, as the decoder enforces) and "Step", their oneOf with a "type"
// discriminator. A step type registered later (join, append, ...) appears
// here, in the served document and in the golden file without a line of this
// package changing.
func stepSchemas() map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	union := &openapi3.Schema{Description: "One pipeline step; its type selects its fields.",
		Discriminator: &openapi3.Discriminator{PropertyName: "type", Mapping: map[string]openapi3.MappingRef{}}}
	for _, st := range transform.StepSchemas() {
		name := stepComponent(st.Type)
		s := props([]string{"type"}, "type", enum(st.Type))
		s.Description = "The " + st.Type + " step"
		for _, f := range st.Fields {
			fs := stepFieldSchema(f.Type)
			fs.Description = f.Description
			s.WithProperty(f.Name, fs)
			if f.Required {
				s.Required = append(s.Required, f.Name)
			}
		}
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: openapi3.Ptr(false)}
		out[name] = s
		ref := "#/components/schemas/" + name
		union.OneOf = append(union.OneOf, &openapi3.SchemaRef{Ref: ref, Value: s})
		union.Discriminator.Mapping[st.Type] = openapi3.MappingRef{Ref: ref}
	}
	out["Step"] = union
	return out
}

// stepComponent names a step type's component: groupBy → GroupByStep.
func stepComponent(typ string) string {
	return strings.ToUpper(typ[:1]) + typ[1:] + "Step"
}

// stepFieldSchema maps a registry field's JSON type to a schema. Arrays and
// objects stay open: the step's own decoder checks their elements and says
// which one is wrong, better than a schema could (sort's by mixes names and
// objects).
func stepFieldSchema(typ string) *openapi3.Schema {
	switch typ {
	case "array":
		return arr(anyv())
	case "object":
		return obj()
	case "integer":
		return intg()
	case "number":
		return num()
	case "boolean":
		return boolean()
	default:
		return str()
	}
}
