package resources

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/settings"
)

// sender collects CallResource messages the way Grafana receives them: a
// copy of each body, as gRPC marshals a message before Send returns.
type sender struct {
	msgs []*backend.CallResourceResponse
}

func (s *sender) Send(r *backend.CallResourceResponse) error {
	c := *r
	if r.Body != nil {
		c.Body = append([]byte{}, r.Body...)
	}
	s.msgs = append(s.msgs, &c)
	return nil
}

func (s *sender) body() []byte {
	var b []byte
	for _, m := range s.msgs {
		b = append(b, m.Body...)
	}
	return b
}

type fixture struct {
	api     *API
	handler backend.CallResourceHandler
}

func newFixture(t *testing.T, jsonData string, f Features) *fixture {
	t.Helper()
	s, err := settings.Parse(backend.DataSourceInstanceSettings{UID: "ds1", Name: "demo", URL: "https://api.example.com", JSONData: []byte(jsonData)})
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(Deps{Settings: s, Policy: authz.NewPolicy(s, time.Now), Audit: authz.NewAudit(10, nil),
		Logger: log.NewNullLogger(), Origin: "https://api.example.com", Features: f})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{api: api, handler: CallResourceHandler(api)}
}

// call goes through the real httpadapter, as a CallResource from Grafana would.
func (f *fixture) call(t *testing.T, method, path, role string, body []byte, hdr map[string][]string) (int, http.Header, map[string]any) {
	t.Helper()
	var user *backend.User
	if role != "" {
		user = &backend.User{Login: "u-" + strings.ToLower(role), Role: role}
	}
	req := &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{PluginID: "relay-gateway-datasource", PluginVersion: "1.0.0", User: user},
		Method:        method, Path: path, URL: path, Headers: hdr, Body: body,
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		req.Path = path[:i]
	}
	s := &sender{}
	if err := f.handler.CallResource(context.Background(), req, s); err != nil {
		t.Fatal(err)
	}
	if len(s.msgs) == 0 {
		t.Fatal("no response")
	}
	var out map[string]any
	_ = json.Unmarshal(s.body(), &out)
	return s.msgs[0].Status, http.Header(s.msgs[0].Headers), out
}

func TestEveryRouteIsFullyDeclared(t *testing.T) {
	f := newFixture(t, `{}`, allFeatures())
	for _, rt := range f.api.Routes() {
		if rt.Name == "" || rt.Pattern == "" || len(rt.Methods) == 0 || rt.Summary == "" || rt.Description == "" ||
			rt.Tag == "" || rt.Timeout <= 0 || rt.Handler == nil || len(rt.Responses) == 0 {
			t.Errorf("route %q is missing part of its declaration: %+v", rt.Name, rt)
		}
		if !rt.Public && rt.MinRole < 1 {
			t.Errorf("route %q is neither public nor has a minimum role", rt.Name)
		}
		for _, m := range rt.Methods {
			if !isSafe(m) && rt.BodyLimit <= 0 {
				t.Errorf("route %q accepts %s without a body limit", rt.Name, m)
			}
		}
	}
}

func TestOpenAPIIsValidAndCoversTheTable(t *testing.T) {
	f := newFixture(t, `{}`, allFeatures())
	status, _, _ := f.call(t, "GET", "openapi.json", "", nil, nil)
	if status != 200 {
		t.Fatalf("openapi.json without a user: %d (it is public)", status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(f.api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI: %v", err)
	}
	for _, rt := range f.api.Routes() {
		item := doc.Paths.Find(openapiPath(rt.Pattern))
		if item == nil {
			t.Fatalf("route %s missing from OpenAPI", rt.Pattern)
		}
		for _, m := range rt.Methods {
			op := item.GetOperation(m)
			if op == nil || op.Extensions["x-relay-min-role"] == nil {
				t.Errorf("%s %s missing or without min role", m, rt.Pattern)
			}
		}
	}
}

func TestUnknownRouteAndMethodAreJSON(t *testing.T) {
	f := newFixture(t, `{}`, Features{})
	status, _, body := f.call(t, "GET", "nope", "Admin", nil, nil)
	if status != 404 || body["code"] != "not_found" {
		t.Fatalf("404: %d %v", status, body)
	}
	status, h, body := f.call(t, "DELETE", "info", "Admin", nil, nil)
	if status != 405 || body["code"] != "method_not_allowed" || !strings.Contains(h.Get("Allow"), "GET") {
		t.Fatalf("405: %d %v %v", status, h, body)
	}
}

func TestRoleFloorAndDenyByDefault(t *testing.T) {
	f := newFixture(t, `{}`, Features{})
	cases := []struct {
		path, role string
		want       int
	}{
		{"info", "", 403}, {"info", "None", 403}, {"info", "Viewer", 200},
		{"audit", "Editor", 403}, {"audit", "Admin", 200}, {"openapi.json", "None", 200},
	}
	for _, c := range cases {
		status, _, body := f.call(t, "GET", c.path, c.role, nil, nil)
		if status != c.want {
			t.Errorf("%s as %q: %d %v, want %d", c.path, c.role, status, body, c.want)
		}
		if status == 403 && !strings.Contains(body["error"].(string), "requires the") {
			t.Errorf("403 does not say which role is required: %v", body)
		}
	}
}

func TestSpoofedIdentityHeadersAreIgnored(t *testing.T) {
	f := newFixture(t, `{}`, Features{})
	h := map[string][]string{"X-Grafana-User": {"admin"}, "X-Grafana-Role": {"Admin"}, "X-Grafana-Id": {"x"}}
	if status, _, _ := f.call(t, "GET", "audit", "Viewer", nil, h); status != 403 {
		t.Fatalf("spoofed headers granted access: %d", status)
	}
	_, _, body := f.call(t, "GET", "info", "Viewer", nil, h)
	if c := body["caller"].(map[string]any); c["login"] != "u-viewer" || c["role"] != "Viewer" {
		t.Fatalf("caller taken from headers: %v", c)
	}
}

func TestSettingsTightenNeverLoosen(t *testing.T) {
	f := newFixture(t, `{"routes":{"info":{"minRole":"Editor"}}}`, Features{})
	if status, _, _ := f.call(t, "GET", "info", "Viewer", nil, nil); status != 403 {
		t.Fatalf("override not applied: %d", status)
	}
	s, _ := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://x", JSONData: []byte(`{"routes":{"audit":{"minRole":"Viewer"}}}`)})
	_, err := New(Deps{Settings: s, Policy: authz.NewPolicy(s, nil), Audit: authz.NewAudit(1, nil), Logger: log.NewNullLogger()})
	if err == nil || !strings.Contains(err.Error(), "jsonData.routes.audit.minRole") {
		t.Fatalf("loosening accepted: %v", err)
	}
	s, _ = settings.Parse(backend.DataSourceInstanceSettings{URL: "https://x", JSONData: []byte(`{"routes":{"nosuch":{}}}`)})
	if _, err = New(Deps{Settings: s, Policy: authz.NewPolicy(s, nil), Audit: authz.NewAudit(1, nil), Logger: log.NewNullLogger()}); err == nil {
		t.Fatal("unknown route override accepted")
	}
}

func TestProtocolTraps(t *testing.T) {
	var seen *http.Request
	f := newFixture(t, `{}`, Features{Transform: func(w http.ResponseWriter, r *http.Request) {
		seen = r
		n, err := r.Body.Read(make([]byte, 1))
		if n != 0 || err == nil {
			t.Errorf("empty body read: %d %v", n, err)
		}
		w.WriteHeader(204)
	}})
	// nil body from httpadapter must not crash a handler.
	if status, _, _ := f.call(t, "POST", "transform", "Viewer", nil, nil); status != 204 || seen.Body == nil {
		t.Fatalf("nil body: %d", status)
	}
	// Paths still holding escapes after Grafana's decode are refused.
	for _, p := range []string{"proxy/x%3Fadmin=1", "proxy/a%2Fb", "proxy/x?admin=1", "proxy/../audit", "proxy/a\\b", "proxy/a//b", "proxy/a\x00", "//x", "/http:x", "proxy/a/..;/b"} {
		req := &backend.CallResourceRequest{PluginContext: backend.PluginContext{User: &backend.User{Login: "a", Role: "Admin"}},
			Method: "GET", Path: p, URL: "/" + p}
		s := &sender{}
		_ = f.handler.CallResource(context.Background(), req, s)
		if s.msgs[0].Status != 400 || !strings.Contains(string(s.body()), "ambiguous_path") {
			t.Errorf("%q: %d %s", p, s.msgs[0].Status, s.body())
		}
	}
}

func TestBodyLimitAndPanic(t *testing.T) {
	f := newFixture(t, `{}`, Features{Transform: func(w http.ResponseWriter, r *http.Request) {
		panic("secret internals")
	}})
	big := make([]byte, transformBody+1)
	if status, _, body := f.call(t, "POST", "transform", "Viewer", big, nil); status != 413 || body["code"] != "body_too_large" {
		t.Fatalf("413: %d %v", status, body)
	}
	status, _, body := f.call(t, "POST", "transform", "Viewer", []byte(`{}`), nil)
	if status != 500 || strings.Contains(body["error"].(string), "secret") {
		t.Fatalf("panic: %d %v", status, body)
	}
}

func TestInfoListsOnlyPermittedRoutes(t *testing.T) {
	f := newFixture(t, `{}`, Features{})
	_, _, body := f.call(t, "GET", "info", "Viewer", nil, nil)
	names := map[string]bool{}
	for _, r := range body["routes"].([]any) {
		names[r.(map[string]any)["name"].(string)] = true
	}
	if !names["info"] || !names["openapi"] || names["audit"] {
		t.Fatalf("routes for Viewer: %v", names)
	}
	if body["upstream"].(map[string]any)["origin"] != "https://api.example.com" {
		t.Fatalf("origin: %v", body["upstream"])
	}
}

func allFeatures() Features {
	h := func(w http.ResponseWriter, r *http.Request) {}
	return Features{Transform: h, Schema: h}
}

// Headers set after the first Flush never reach Grafana: the first
// CallResource message already carried the status and headers. Relay sets
// everything it needs (X-Request-Id, Content-Type) before writing, and a
// failure after streaming began is reported with AbortStream instead.
func TestHeadersAfterFirstFlushAreLost(t *testing.T) {
	f := newFixture(t, `{}`, Features{Transform: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		_, _ = w.Write([]byte("part"))
		w.(http.Flusher).Flush()
		w.Header().Set("X-After", "1")
		httpx.AbortStream(r.Context(), errors.New("upstream broke mid-stream"))
	}})
	req := &backend.CallResourceRequest{PluginContext: backend.PluginContext{User: &backend.User{Login: "v", Role: "Viewer"}},
		Method: "POST", Path: "transform", URL: "/transform", Body: []byte(`{}`)}
	s := &sender{}
	err := f.handler.CallResource(context.Background(), req, s)
	first := http.Header(s.msgs[0].Headers)
	if first.Get("X-Before") != "1" || first.Get("X-Request-Id") == "" {
		t.Fatalf("headers set before the flush are missing: %v", first)
	}
	for _, m := range s.msgs {
		if http.Header(m.Headers).Get("X-After") != "" {
			t.Fatal("a header set after the first flush was sent")
		}
	}
	if err == nil || !strings.Contains(err.Error(), "mid-stream") {
		t.Fatalf("a failure after the first flush must end the call with an error, got %v", err)
	}
}

// A subtree root without its slash must not be redirected (a Location would
// point at Grafana's root, not the resource API): it is the subtree's root.
func TestNoTrailingSlashRedirect(t *testing.T) {
	var rest []string
	f := newFixture(t, `{}`, Features{Proxy: stubProxy{func(w http.ResponseWriter, r *http.Request) {
		rest = append(rest, r.PathValue("path"))
		w.WriteHeader(204)
	}}})
	for _, p := range []string{"proxy", "proxy/"} {
		if status, h, _ := f.call(t, "GET", p, "Viewer", nil, nil); status != 204 || h.Get("Location") != "" {
			t.Fatalf("%s: %d %v", p, status, h)
		}
	}
	if len(rest) != 2 || rest[0] != "" || rest[1] != "" {
		t.Fatalf("path values %q", rest)
	}
}
