package query

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// maxTargetSegments bounds the dotted path of a body field or GraphQL
// variable a pagination value goes to: each segment is one nested object,
// and encoding/json recurses once per level when the body is written, so a
// path of a million dots would overflow the stack and kill the process.
const maxTargetSegments = 32

// setTarget puts a pagination value (offset, page, cursor, list value) where
// pagination.in says: a query parameter, a header, a field of the JSON body
// (a dotted path, created as needed) or a GraphQL variable. Numbers go into
// JSON as numbers, cursors and values as strings.
func setTarget(req *request, in, name, value string, number bool) error {
	switch in {
	case "", "query":
		req.Params.Set(name, value)
		return nil
	case "header":
		req.Headers[name] = value
		return nil
	case "variable":
		name = "variables." + name
	}
	if req.BodyType != "" { // a form or multipart body: the value is a row
		req.setFormField(name, value)
		return nil
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(req.Body)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return apierr.BadRequest("invalid_pagination", "pagination.in: body needs a JSON object body to set %q in", name)
	}
	var v any = value
	if number {
		v = json.Number(value)
	}
	if n := strings.Count(name, ".") + 1; n > maxTargetSegments {
		return apierr.BadRequest("invalid_pagination", "pagination: the field %.60q… has %d dotted segments; at most %d", name, n, maxTargetSegments)
	}
	keys := strings.Split(name, ".")
	obj := doc
	for _, k := range keys[:len(keys)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	obj[keys[len(keys)-1]] = v
	b, _ := json.Marshal(doc)
	req.Body = string(b)
	return nil
}
