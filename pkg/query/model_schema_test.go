package query

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestEnumTagsMatchParse: the enum tags the OpenAPI source schema is built
// from list exactly what Parse accepts, so the document and the validation
// cannot disagree.
func TestEnumTagsMatchParse(t *testing.T) {
	enum := func(typ reflect.Type, field string) []string {
		f, _ := typ.FieldByName(field)
		return strings.Split(f.Tag.Get("enum"), ",")
	}
	for _, v := range append(enum(reflect.TypeOf(Query{}), "Format"), "bogus") {
		_, err := Parse([]byte(fmt.Sprintf(`{"path":"/x","format":%q}`, v)))
		if (err == nil) != (v != "bogus") {
			t.Errorf("format %q: Parse error %v", v, err)
		}
	}
	for _, v := range append(enum(reflect.TypeOf(Pagination{}), "In"), "bogus") {
		_, err := Parse([]byte(fmt.Sprintf(`{"path":"/x","graphql":{"query":"{ a }"},
			"pagination":{"mode":"offset","in":%q,"offsetParam":"o"}}`, v)))
		if (err == nil) != (v != "bogus") {
			t.Errorf("pagination.in %q: Parse error %v", v, err)
		}
	}
}
