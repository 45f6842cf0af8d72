package openapiimport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/relay-gateway/relay/pkg/openapiimport"
	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// upstream serves the demo API's document at /openapi.json and counts what
// it is asked for.
func upstream(t *testing.T) (*httptest.Server, *atomic.Int32) {
	doc, err := os.ReadFile("../../cmd/demoapi/openapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc)
		case "/huge.json":
			_, _ = w.Write(bytes.Repeat([]byte(" "), openapiimport.MaxDocumentBytes+1))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

const importSettings = `{"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true},"proxy":{"rules":[
	{"path":"/openapi.json","methods":["GET"],"minRole":"Admin"},
	{"path":"/huge.json","methods":["GET"],"minRole":"Admin"},
	{"path":"/api/","methods":["GET"],"minRole":"Viewer"}]}}`

func call(i *plugintest.Instance, roleName string, body any) *resourcetest.Response {
	b, _ := json.Marshal(body)
	return i.Call(resourcetest.Request{Method: "POST", Path: "openapi/import", Role: roleName, Login: strings.ToLower(roleName), Body: b})
}

func TestHandlerImportsFromAnUpstream(t *testing.T) {
	srv, _ := upstream(t)
	i := plugintest.New(t, plugintest.Config{URL: srv.URL, JSONData: importSettings})
	r := call(i, "Admin", map[string]any{"upstream": "_default", "path": "/openapi.json"})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var p openapiimport.Proposal
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Stats.Operations != 6 || len(p.Rules) != 6 || len(p.Actions) != 3 || len(p.Queries) != 3 {
		t.Fatalf("proposal: %+v", p.Stats)
	}
}

func TestHandlerIsForAdminsOnly(t *testing.T) {
	srv, hits := upstream(t)
	i := plugintest.New(t, plugintest.Config{URL: srv.URL, JSONData: importSettings})
	for _, roleName := range []string{"Viewer", "Editor"} {
		r := call(i, roleName, map[string]any{"upstream": "_default", "path": "/openapi.json"})
		if r.Status != 403 || r.JSON()["code"] != "role_required" {
			t.Errorf("%s: %d %s", roleName, r.Status, r.Body)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("a refused import reached the upstream")
	}
}

// The document is fetched as any upstream call is: through the proxy rules
// and the upstream gate, size-limited.
func TestHandlerFetchesThroughTheRules(t *testing.T) {
	srv, hits := upstream(t)
	i := plugintest.New(t, plugintest.Config{URL: srv.URL, JSONData: importSettings})
	r := call(i, "Admin", map[string]any{"upstream": "_default", "path": "/secret/openapi.json"})
	if r.Status != 403 || hits.Load() != 0 {
		t.Errorf("a path no rule allows: %d %s (hits %d)", r.Status, r.Body, hits.Load())
	}
	r = call(i, "Admin", map[string]any{"upstream": "nope", "path": "/openapi.json"})
	if r.Status != 400 || r.JSON()["code"] != "unknown_upstream" {
		t.Errorf("unknown upstream: %d %s", r.Status, r.Body)
	}
	r = call(i, "Admin", map[string]any{"upstream": "_default", "path": "/huge.json"})
	if r.Status != 502 || r.JSON()["code"] != "upstream_too_large" {
		t.Errorf("a document over 20 MB: %d %s", r.Status, r.Body)
	}
}

func TestHandlerImportsAPastedDocument(t *testing.T) {
	i := plugintest.New(t, plugintest.Config{URL: "http://127.0.0.1:1", JSONData: importSettings})
	doc := json.RawMessage(`{"swagger":"2.0","info":{"title":"t","version":"1"},"basePath":"/v1","paths":{"/things":{"get":{"operationId":"things","responses":{"200":{"description":"ok","schema":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"}}}}}}}}}}`)
	r := call(i, "Admin", map[string]any{"document": doc})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"path":"/v1/things"`) {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	// YAML pasted as a string.
	r = call(i, "Admin", map[string]any{"document": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/x: {get: {operationId: x, responses: {'200': {description: ok}}}}}\n"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"operationId":"x"`) {
		t.Fatalf("yaml: %d %s", r.Status, r.Body)
	}
}

func TestHandlerRefusesBadRequests(t *testing.T) {
	i := plugintest.New(t, plugintest.Config{URL: "http://127.0.0.1:1", JSONData: importSettings})
	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"both":         {`{"upstream":"_default","path":"/a","document":{"openapi":"3.0.3"}}`, 400, "bad_request"},
		"neither":      {`{}`, 400, "bad_request"},
		"no path":      {`{"upstream":"_default"}`, 400, "bad_request"},
		"unknown key":  {`{"doc":{}}`, 400, "bad_request"},
		"relative":     {`{"upstream":"_default","path":"openapi.json"}`, 400, "bad_request"},
		"not openapi":  {`{"document":{"hello":"world"}}`, 422, "invalid_document"},
		"broken yaml":  {`{"document":"a: [b"}`, 422, "invalid_document"},
		"not a object": {`[]`, 400, "bad_request"},
	} {
		r := i.Call(resourcetest.Request{Method: "POST", Path: "openapi/import", Role: "Admin", Login: "admin", Body: []byte(c.body)})
		if r.Status != c.status || r.JSON()["code"] != c.code || r.JSON()["status"] != float64(c.status) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// Over the route's body limit: 413 before anything is read.
	big := fmt.Sprintf(`{"document":"%s"}`, strings.Repeat("a", openapiimport.BodyLimit))
	r := i.Call(resourcetest.Request{Method: "POST", Path: "openapi/import", Role: "Admin", Login: "admin", Body: []byte(big)})
	if r.Status != 413 {
		t.Errorf("over the body limit: %d %s", r.Status, r.Body[:min(len(r.Body), 200)])
	}
}
