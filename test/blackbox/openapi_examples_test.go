package blackbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Every request example the served document gives is one a caller can send as
// is: each is posted to its route on the dev data source (actions as dry runs,
// so nothing changes) and must succeed. Every JSON answer of a route has an
// example too.
func TestOpenAPIExamplesWork(t *testing.T) {
	s := startDev(t)
	resp, body := s.Do("GET", devRes+"/openapi.json", "none", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d %s", resp.StatusCode, body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				if mt := jsonMedia(r.Value.Content); mt != nil && code[0] == '2' && example(mt) == nil {
					t.Errorf("%s %s: the %s answer has no example", method, path, code)
				}
			}
			if op.RequestBody == nil {
				continue
			}
			mt := jsonMedia(op.RequestBody.Value.Content)
			ex := example(mt)
			if ex == nil {
				t.Errorf("%s %s: the request body has no example", method, path)
				continue
			}
			if strings.Contains(path, "{") {
				continue // a template (/actions/{name}); each action has its own path
			}
			b, _ := json.Marshal(ex)
			target := devRes + path
			if strings.HasPrefix(path, "/actions/") {
				target += "?dryRun=true"
			}
			resp, out := s.Do(method, target, "admin", b, map[string]string{"Content-Type": "application/json", "X-API-Key": devKey})
			if resp.StatusCode/100 != 2 {
				t.Errorf("%s %s with its documented example %s: %d %s", method, path, b, resp.StatusCode, out)
			}
			sent++
		}
	}
	if sent < 3 { // /transform and the dev data source's actions at least
		t.Errorf("only %d request examples were sent", sent)
	}
}

// jsonMedia is the application/json media type (not Content.Get's wildcard
// fallback: the proxy's "*/*" answer is the upstream's own).
func jsonMedia(c openapi3.Content) *openapi3.MediaType { return c["application/json"] }

// example is a media type's own example or its schema's.
func example(mt *openapi3.MediaType) any {
	switch {
	case mt == nil:
		return nil
	case mt.Example != nil:
		return mt.Example
	case mt.Schema != nil && mt.Schema.Value != nil:
		return mt.Schema.Value.Example
	}
	return nil
}
