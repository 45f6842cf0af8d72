package blackbox

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

func TestOpenAPIDocumentValidatesRealResponses(t *testing.T) {
	s := start(t, "")
	resp, body := s.Do("GET", res+"/openapi.json", "none", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d %s", resp.StatusCode, body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("document invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: s.URL(res)}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Real responses of the documented routes must match their documented schemas.
	for _, c := range []struct{ method, path, user, body string }{
		{"GET", "/info", "viewer", ""},
		{"GET", "/audit", "admin", ""},
		{"GET", "/schema?path=/api/items&root=items", "viewer", ""},
		{"POST", "/transform", "viewer", `{"data":[{"a":1}],"pipeline":{}}`},
		{"GET", "/info", "none", ""}, // an error response, against the Error schema
	} {
		req := s.Request(c.method, res+c.path, c.user, strings.NewReader(c.body))
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s not in the document: %v", c.method, c.path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if c.body != "" {
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("request %s %s invalid: %v", c.method, c.path, err)
			}
			req.Body = http.NoBody
			req = s.Request(c.method, res+c.path, c.user, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
		}
		r, rb := doRaw(t, s.Client, req)
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.StatusCode, Header: r.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes(rb)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("response of %s %s (%d) does not match the document: %v", c.method, c.path, r.StatusCode, err)
		}
	}
}

func TestErrorsAreJSONWithTheRightStatus(t *testing.T) {
	s := start(t, "")
	cases := []struct {
		method, path, user string
		body               []byte
		status             int
		code               string
	}{
		{"GET", res + "/nope", "viewer", nil, 404, "not_found"},
		{"DELETE", res + "/info", "admin", nil, 405, "method_not_allowed"},
		{"GET", res + "/audit", "editor", nil, 403, "role_required"},
		{"POST", res + "/transform", "viewer", []byte(`{"pipeline":{"steps":[{"type":"filter","expr":"price >"}]},"data":[]}`), 400, "invalid_pipeline"},
		{"POST", res + "/transform", "viewer", []byte(`not json`), 400, "bad_request"},
		{"POST", res + "/transform", "viewer", bytes.Repeat([]byte("x"), 16<<20), 413, "body_too_large"},
		{"POST", res + "/transform", "viewer", bytes.Repeat([]byte("x"), 20<<20), 413, "body_too_large"}, // over the SDK's default 16 MiB gRPC cap
	}
	for _, c := range cases {
		resp, body := s.Do(c.method, c.path, c.user, c.body, nil)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d %.200s, want %d", c.method, c.path, resp.StatusCode, body, c.status)
			continue
		}
		m := decode(t, body)
		if m["code"] != c.code || m["status"] != float64(c.status) || m["error"] == "" {
			t.Errorf("%s %s: body %v", c.method, c.path, m)
		}
		if c.status == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("405 Allow = %q", resp.Header.Get("Allow"))
		}
	}
	// The pipeline error points at the faulty step.
	_, body := s.Do("POST", res+"/transform", "viewer", []byte(`{"pipeline":{"steps":[{"type":"filter","expr":"price >"}]},"data":[]}`), nil)
	if !strings.Contains(string(body), "steps[0]") {
		t.Errorf("pipeline error does not name the step: %s", body)
	}
}

func TestProtocolTrapsThroughGrafanaRouting(t *testing.T) {
	s := start(t, `{"proxy":{"rules":[{"path":"/api/echo*","methods":["GET","POST"]}]}}`)
	// Each of these is decoded once by Grafana and would be decoded again by
	// the SDK's adapter: Relay refuses rather than guess.
	for _, p := range []string{"/proxy/api/echo/x%3Fadmin=1", "/proxy/api/echo/a%252Fb", "/proxy/api/echo/a%2523b",
		"/proxy/api/echo/%2e%2e/%2e%2e/health", "/proxy/api/echo/a%5Cb", "/proxy/api/echo/a%00b"} {
		resp, body := s.Do("GET", res+p, "viewer", nil, nil)
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	// An encoded slash is already a slash when Grafana hands the path over: it
	// stays one segment boundary and the upstream sees exactly that.
	resp, body := s.Do("GET", res+"/proxy/api/echo/a%2Fb?q=1", "viewer", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("a%%2Fb: %d %s", resp.StatusCode, body)
	}
	echo := decode(t, body)
	if !strings.HasSuffix(echo["escaped_path"].(string), "/api/echo/a/b") {
		t.Errorf("upstream saw %v", echo)
	}
	// A request without a body reaches the plugin as a nil body: no crash.
	resp, body = s.Do("POST", res+"/proxy/api/echo/empty", "viewer", nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("empty POST: %d %s", resp.StatusCode, body)
	}
}

func TestIdentityComesOnlyFromGrafana(t *testing.T) {
	s := start(t, "")
	spoof := map[string]string{"X-Grafana-User": "admin", "X-Grafana-Id": "admin", "X-Grafana-Org-Role": "Admin"}
	if resp, _ := s.Do("GET", res+"/audit", "viewer", nil, spoof); resp.StatusCode != 403 {
		t.Fatalf("spoofed identity headers granted /audit: %d", resp.StatusCode)
	}
	_, body := s.Do("GET", res+"/info", "viewer", nil, spoof)
	caller := decode(t, body)["caller"].(map[string]any)
	if caller["login"] != "viewer" || caller["role"] != "Viewer" {
		t.Fatalf("caller %v", caller)
	}
}

func TestHealth(t *testing.T) {
	s := start(t, "")
	resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"OK"`) {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	bad := start(t, `{"timeouts":{"dial":"-3s"},"auth":{"type":"kerberos"}}`)
	resp, body = bad.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "jsonData.timeouts.dial") || !strings.Contains(string(body), "jsonData.auth.type") {
		t.Fatalf("invalid settings health: %d %s", resp.StatusCode, body)
	}
	// Every call reports the same problem.
	resp, body = bad.Do("GET", res+"/info", "viewer", nil, nil)
	if resp.StatusCode != 500 || decode(t, body)["code"] != "invalid_settings" {
		t.Fatalf("call with invalid settings: %d %s", resp.StatusCode, body)
	}
	resp, body = bad.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": []any{map[string]any{"refId": "A", "datasource": map[string]any{"uid": uid}}}}, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "jsonData.timeouts.dial") {
		t.Fatalf("query with invalid settings: %d %s", resp.StatusCode, body)
	}
	// Unreachable upstream: an actionable message.
	down := harnessWithURL(t, "http://127.0.0.1:1")
	resp, body = down.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "Cannot reach the upstream") {
		t.Fatalf("unreachable health: %d %s", resp.StatusCode, body)
	}
}

func doRaw(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp, b.Bytes()
}

var _ = url.PathEscape

// Grafana's [plugin.relay-gateway-datasource] keys reach the plugin as
// GF_PLUGIN_<KEY>; a bad gogc is reported and the data source still works.
func TestPluginGCSettings(t *testing.T) {
	s := harness.Start(t, harness.Options{Provisioning: provisioning(`{"network":{"allowPrivateNetworks":true}}`),
		Env: map[string]string{"GF_PLUGIN_GOGC": "fast", "GF_PLUGIN_MEMORY_LIMIT": "512MiB"}})
	if resp, body := s.Do("GET", res+"/info", "viewer", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("info: %d %s", resp.StatusCode, body)
	}
	if log := s.DevHostLog(); !strings.Contains(log, "ignoring the plugin's GC settings") || !strings.Contains(log, `gogc \"fast\"`) {
		t.Errorf("no warning about gogc=fast in the log:\n%s", log)
	}
}
