package openapiimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// MaxDocumentBytes is the largest description imported (GitHub's and
// Stripe's public descriptions are 10-20 MB).
const MaxDocumentBytes = 20 << 20

// ErrDocument marks a document Relay cannot read: the caller's fault (400).
var ErrDocument = errors.New("not a usable OpenAPI document")

func docError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDocument, fmt.Sprintf(format, args...))
}

// load reads an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON, or YAML
// turned into JSON first). Swagger 2.0 is converted to OpenAPI 3 by
// kin-openapi (openapi2conv) first. $refs stay as they are: refs.go
// resolves the internal ones while the proposal is built.
func load(raw []byte) (doc *document, version string, skipped string, err error) {
	if len(raw) > MaxDocumentBytes {
		return nil, "", "", docError("the document is %d bytes, more than %d", len(raw), MaxDocumentBytes)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, "", "", docError("the document is empty")
	}
	if raw[0] != '{' {
		if raw, err = yamlToJSON(raw); err != nil {
			return nil, "", "", err
		}
	}
	doc = &document{}
	// One pass decodes the model and tells the version. A value of an
	// unexpected type (a boolean schema of 3.1, a string where an object
	// belongs) is skipped, not fatal: the rest still maps.
	if err := json.Unmarshal(raw, doc); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, "", "", docError("%s", jsonProblem(err))
		}
		skipped = te.Field
	}
	swagger, _ := doc.Swagger.(string)
	openapi, _ := doc.OpenAPI.(string)
	switch {
	case strings.HasPrefix(swagger, "2."):
		// Swagger's own shapes (definitions, body parameters) are not the
		// model's: convert, then read the result.
		if raw, err = convertSwagger(raw); err != nil {
			return nil, "", "", err
		}
		doc, skipped = &document{}, ""
		if err := json.Unmarshal(raw, doc); err != nil {
			return nil, "", "", docError("converting Swagger 2.0: %s", jsonProblem(err))
		}
		return doc, swagger, skipped, nil
	case strings.HasPrefix(openapi, "3."):
		return doc, openapi, skipped, nil
	}
	return nil, "", "", docError(`neither "openapi": "3.x" nor "swagger": "2.0" at the top level`)
}

// convertSwagger turns a Swagger 2.0 document into OpenAPI 3 with
// kin-openapi, back in JSON. Its loader has no ReadFromURIFunc and external
// refs are off, so nothing is fetched.
func convertSwagger(raw []byte) ([]byte, error) {
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return nil, docError("Swagger 2.0: %s", jsonProblem(err))
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	v3, err := openapi2conv.ToV3WithLoader(&v2, loader, nil)
	if err != nil {
		return nil, docError("converting Swagger 2.0: %s", shorten(err.Error()))
	}
	out, err := json.Marshal(v3)
	if err != nil {
		return nil, docError("converting Swagger 2.0: %s", shorten(err.Error()))
	}
	return out, nil
}

// yamlToJSON reads a YAML description (yaml.v3 refuses alias bombs) and
// re-encodes it as JSON, the one form the rest of the import reads.
func yamlToJSON(raw []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return nil, docError("neither JSON nor YAML: %s", shorten(err.Error()))
	}
	out, err := json.Marshal(yamlJSON(v, 0))
	if err != nil {
		return nil, docError("YAML that has no JSON form: %s", shorten(err.Error()))
	}
	return out, nil
}

// yamlJSON turns YAML's non-string map keys into strings, so the value
// marshals as JSON.
func yamlJSON(v any, depth int) any {
	if depth > 1000 {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = yamlJSON(e, depth+1)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = yamlJSON(e, depth+1)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = yamlJSON(e, depth+1)
		}
		return x
	}
	return v
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return shorten(err.Error())
}

// shorten keeps an error from quoting a large part of the document back.
func shorten(s string) string {
	const max = 300
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
