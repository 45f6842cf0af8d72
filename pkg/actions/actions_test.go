package actions_test

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/actions"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

func TestRunRendersTypedBodyAndReturnsResult(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	r := f.run("create", "Editor", map[string]any{"name": "lamp", "count": 3, "ratio": "0.25", "on": "true"}, nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var res struct {
		Action, BodyEncoding string
		Status               int
		Headers              map[string]string
		Body                 map[string]any
		Truncated, Replayed  bool
	}
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Action != "create" || res.Status != 201 || res.Headers["Location"] != "/v1/things/1" || res.Headers["Set-Cookie"] != "" ||
		res.Truncated || res.Replayed {
		t.Fatalf("result: %+v", res)
	}
	got := u.requests()[0]
	if got.Method != "POST" || got.EscapedPath != "/v1/things" || got.RawQuery != "tenant=t1" ||
		got.Header.Get("Authorization") != "Bearer "+secret || got.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("upstream saw %+v", got)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(got.Body), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "lamp", "count": 3.0, "ratio": 0.25, "on": true, "label": "item lamp x3",
		"nested": map[string]any{"list": []any{"lamp", nil, 1.0}}, "fixed": true}
	if !reflect.DeepEqual(body, want) {
		t.Fatalf("body %v\nwant %v", body, want)
	}
	// Defaults apply and absent optional members are left out.
	f.run("create", "Editor", map[string]any{"name": "x"}, nil)
	body = nil
	json.Unmarshal([]byte(u.requests()[1].Body), &body)
	if body["count"] != 1.0 || body["on"] != nil || len(body) != 5 {
		t.Fatalf("defaults: %v", body)
	}
}

func TestParameterValidation(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	cases := []struct {
		action string
		params map[string]any
		errs   map[string]string // field → message fragment; nil = valid
	}{
		{"create", map[string]any{"name": "ok"}, nil},
		{"create", map[string]any{}, map[string]string{"params.name": "required"}},
		{"create", map[string]any{"name": nil}, map[string]string{"params.name": "required"}},
		{"create", map[string]any{"name": ""}, map[string]string{"params.name": "at least 1 character"}},
		{"create", map[string]any{"name": strings.Repeat("é", 41)}, map[string]string{"params.name": "at most 40"}},
		{"create", map[string]any{"name": strings.Repeat("é", 40)}, nil}, // characters, not bytes
		{"create", map[string]any{"name": 5}, map[string]string{"params.name": "must be a string"}},
		{"create", map[string]any{"name": "a", "count": 1.5}, map[string]string{"params.count": "whole number"}},
		{"create", map[string]any{"name": "a", "count": "7"}, nil}, // Grafana interpolates variables as strings
		{"create", map[string]any{"name": "a", "count": "seven"}, map[string]string{"params.count": "must be an integer"}},
		{"create", map[string]any{"name": "a", "count": 11}, map[string]string{"params.count": "at most 10"}},
		{"create", map[string]any{"name": "a", "count": -1}, map[string]string{"params.count": "at least 0"}},
		{"create", map[string]any{"name": "a", "count": 1e300}, map[string]string{"params.count": "whole number"}},
		{"create", map[string]any{"name": "a", "ratio": 1.01}, map[string]string{"params.ratio": "at most 1"}},
		{"create", map[string]any{"name": "a", "ratio": "NaN"}, map[string]string{"params.ratio": "must be a number"}},
		{"create", map[string]any{"name": "a", "on": "yes"}, map[string]string{"params.on": "boolean"}},
		{"create", map[string]any{"name": "a", "on": 1}, map[string]string{"params.on": "boolean"}},
		{"create", map[string]any{"name": "a", "extra": 1, "other": 2}, map[string]string{"params.extra": "not a parameter",
			"params.other": "not a parameter"}},
		{"kind", map[string]any{"kind": "c"}, map[string]string{"params.kind": `one of "a", "b"`}},
		{"kind", map[string]any{"kind": "a", "code": "ABCD"}, map[string]string{"params.code": "pattern"}},
		{"kind", map[string]any{"kind": "a", "code": "ABC", "n": 2.5}, nil},
		{"kind", map[string]any{"kind": "a", "n": "2.5"}, nil},
		{"kind", map[string]any{"kind": "a", "n": 3}, map[string]string{"params.n": "one of 1, 2.5"}},
		{"kind", map[string]any{}, map[string]string{"params.kind": "required"}}, // path parameters are required
		{"delete", map[string]any{"id": 0}, map[string]string{"params.id": "at least 1"}},
	}
	for _, tc := range cases {
		hdr := map[string]string{"X-API-Key": opsKey}
		r := f.run(tc.action, "Admin", tc.params, hdr)
		if tc.errs == nil {
			if r.Status != 200 {
				t.Errorf("%s %v: %d %s", tc.action, tc.params, r.Status, r.Body)
			}
			continue
		}
		var e struct {
			Code    string
			Details []actions.FieldError
		}
		json.Unmarshal(r.Body, &e)
		if r.Status != 400 || e.Code != "invalid_params" || len(e.Details) != len(tc.errs) {
			t.Errorf("%s %v: %d %s", tc.action, tc.params, r.Status, r.Body)
			continue
		}
		for _, d := range e.Details {
			if frag, ok := tc.errs[d.Field]; !ok || !strings.Contains(d.Message, frag) {
				t.Errorf("%s %v: %s %q, want %q", tc.action, tc.params, d.Field, d.Message, frag)
			}
		}
	}
	// Bodies that are not {"params": {...}}.
	for _, body := range []string{`[]`, `{"params":[]}`, `{"params":{}, "x":1}`, `{"params":{}} {}`, `nope`} {
		if r := f.raw("actions/create", "Editor", []byte(body), nil); r.Status != 400 {
			t.Errorf("body %s: %d %s", body, r.Status, r.Body)
		}
	}
	if n := len(u.requests()); n != 5 {
		t.Fatalf("%d upstream calls; only the 5 valid runs may call", n)
	}
}

// Values the proxy would refuse in a caller's path are refused in an
// action's path too: servers read '\' as '/' and fold full-width dots.
func TestPathValuesTheProxyRefuses(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	for _, v := range []string{"a\\b", "\uff0e\uff0e", "\uff0e", "a\uff0fb", "\u2024\u2024"} {
		r := f.run("get", "Viewer", map[string]any{"id": v, "part": "p"}, nil)
		if r.Status != 400 || !strings.Contains(string(r.Body), "invalid_params") {
			t.Errorf("%q: %d %s", v, r.Status, r.Body)
		}
	}
	if n := len(u.requests()); n != 0 {
		t.Fatalf("%d upstream calls for refused values", n)
	}
}

// Whatever a value contains, the path keeps its segments, the query its
// names and the body its structure.
func TestTemplateInjectionCannotChangeTheTarget(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	attacks := []string{"../admin", "..%2Fadmin", "a/b", "a%2Fb", "%2e%2e%2fadmin", "x?admin=1", "x#frag", "a;b", `q"uote`,
		`"},"x":{"`, "\u00e9\u4e16", "a b", "+", "&q=evil", "%00", "{part}", "{{q}}"}
	for _, v := range attacks {
		r := f.run("get", "Viewer", map[string]any{"id": v, "part": "p", "q": v}, nil)
		if r.Status != 200 {
			t.Errorf("%q: %d %s", v, r.Status, r.Body)
			continue
		}
		got := u.requests()[len(u.requests())-1]
		segs := strings.Split(got.EscapedPath, "/")
		if len(segs) != 6 || segs[1] != "v1" || segs[2] != "things" || segs[4] != "parts" || segs[5] != "p" {
			t.Errorf("%q: upstream path %s", v, got.EscapedPath)
		}
		if dec, _ := url.PathUnescape(segs[3]); dec != v {
			t.Errorf("%q: segment decodes to %q", v, dec)
		}
		q, err := url.ParseQuery(got.RawQuery)
		if err != nil || len(q) != 4 || q.Get("q") != v || q.Get("fixed") != "yes" || q.Get("tenant") != "t1" || q.Get("both") != v+"-"+v {
			t.Errorf("%q: upstream query %s", v, got.RawQuery)
		}
		f.run("create", "Editor", map[string]any{"name": v}, nil)
		var body map[string]any
		if err := json.Unmarshal([]byte(u.requests()[len(u.requests())-1].Body), &body); err != nil || body["name"] != v ||
			len(body) != 5 || body["fixed"] != true {
			t.Errorf("%q: body %v (%v)", v, body, err)
		}
	}
	// Values that would make a dot segment or an empty one are refused, and nothing is sent.
	before := len(u.requests())
	for _, v := range []string{"..", ".", "", "..;x", "%2e%2e", "%252e", "%2E", "a\x00b"} {
		r := f.run("get", "Viewer", map[string]any{"id": v, "part": "p"}, nil)
		if v == "%2e%2e" || v == "%252e" || v == "%2E" {
			// Decoding once or twice would give a dot segment.
			if r.Status != 400 {
				t.Errorf("%q: %d", v, r.Status)
			}
			continue
		}
		if r.Status != 400 || r.JSON()["code"] != "invalid_params" {
			t.Errorf("%q: %d %s", v, r.Status, r.Body)
		}
	}
	if len(u.requests()) != before {
		t.Fatal("a refused value still reached the upstream")
	}
}

func TestPOSTWithoutBodyTemplateSendsTheParams(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	if r := f.run("params-body", "Editor", map[string]any{"a": `x"y`, "b": "2"}, nil); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if got := u.requests()[0]; got.Method != "PUT" || got.Body != `{"a":"x\"y","b":2}` {
		t.Fatalf("upstream saw %s %s", got.Method, got.Body)
	}
}

func TestAuthorizationPerAction(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	cases := []struct {
		action, role, key string
		status            int
		code              string
	}{
		{"create", "Viewer", "", 403, "role_required"},
		{"create", "Editor", "", 200, ""},
		{"admin-only", "Editor", "", 403, "role_required"},
		{"admin-only", "Admin", "", 200, ""},
		{"delete", "Viewer", opsKey, 403, "role_required"}, // the role comes first
		{"delete", "Editor", "", 403, "api_key_required"},
		{"delete", "Editor", "wrong", 403, "api_key_invalid"},
		{"delete", "Editor", opsKey, 200, ""},
		{"nope", "Admin", "", 404, "action_not_found"},
	}
	for _, tc := range cases {
		r := f.run(tc.action, tc.role, map[string]any{"id": 1}, map[string]string{"X-API-Key": tc.key})
		if tc.action == "create" || tc.action == "admin-only" {
			r = f.run(tc.action, tc.role, map[string]any{"name": "n"}, map[string]string{"X-API-Key": tc.key})
			if tc.action == "admin-only" {
				r = f.run(tc.action, tc.role, map[string]any{}, map[string]string{"X-API-Key": tc.key})
			}
		}
		if r.Status != tc.status || (tc.code != "" && r.JSON()["code"] != tc.code) {
			t.Errorf("%s as %s key %q: %d %s", tc.action, tc.role, tc.key, r.Status, r.Body)
		}
	}
	// Without a Grafana user nothing runs (the route's floor is Viewer).
	if r := f.run("get", "", map[string]any{"id": "1", "part": "p"}, nil); r.Status != 403 {
		t.Fatalf("anonymous: %d", r.Status)
	}
	// The audit log names the action, the key and why calls were refused.
	var sawKey, sawDenied bool
	for _, e := range f.auditEntries() {
		if e.Route != "actions.run" || !strings.HasPrefix(e.Path, "/actions/") {
			t.Fatalf("audit entry %+v", e)
		}
		sawKey = sawKey || (e.Path == "/actions/delete" && e.APIKey == "ops" && e.Status == 200)
		sawDenied = sawDenied || (e.Path == "/actions/delete" && e.Reason == "api_key_invalid" && e.Outcome == "denied")
	}
	if !sawKey || !sawDenied {
		t.Fatalf("audit: key %v denied %v: %+v", sawKey, sawDenied, f.auditEntries())
	}
}

func TestListShowsOnlyRunnableActions(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	names := func(roleName string) []string {
		r := resourcetest.Call(f.handler, resourcetest.Request{Path: "actions", Role: roleName})
		var out struct{ Actions []actions.View }
		json.Unmarshal(r.Body, &out)
		var n []string
		for _, a := range out.Actions {
			n = append(n, a.Name)
			if a.Schema == nil || a.Schema.Type == nil {
				t.Fatalf("%s has no schema", a.Name)
			}
		}
		return n
	}
	if got := names("Viewer"); !reflect.DeepEqual(got, []string{"get", "kind", "status", "big", "binary"}) {
		t.Fatalf("viewer sees %v", got)
	}
	if got := names("Admin"); len(got) != 9 {
		t.Fatalf("admin sees %v", got)
	}
}

func TestUpstreamStatuses(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	cases := []struct {
		code, status int
		errCode      string
	}{{200, 200, ""}, {204, 200, ""}, {404, 404, "upstream_status"}, {409, 409, "upstream_status"},
		{500, 502, "upstream_status"}, {401, 502, "upstream_unauthorized"}, {407, 502, "upstream_unauthorized"}}
	for _, tc := range cases {
		r := f.run("status", "Viewer", map[string]any{"code": tc.code}, nil)
		m := r.JSON()
		if r.Status != tc.status || (tc.errCode != "" && m["code"] != tc.errCode) {
			t.Errorf("upstream %d: %d %s", tc.code, r.Status, r.Body)
		}
		if tc.errCode == "upstream_status" {
			d, _ := m["details"].(map[string]any)
			if d["status"] != float64(tc.code) || m["upstreamStatus"] != float64(tc.code) {
				t.Errorf("upstream %d: details %v", tc.code, m)
			}
		}
	}
}

func TestLargeAndBinaryBodies(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	r := f.run("big", "Viewer", nil, nil)
	m := r.JSON()
	if r.Status != 200 || m["truncated"] != true || len(m["body"].(string)) != actions.MaxResultBody {
		t.Fatalf("big: %d truncated=%v", r.Status, m["truncated"])
	}
	r = f.run("binary", "Viewer", nil, nil)
	if m := r.JSON(); m["bodyEncoding"] != "base64" || m["body"] != "//4AAQ==" {
		t.Fatalf("binary: %s", r.Body)
	}
}

func TestDryRunRendersWithoutCalling(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	r := f.raw("actions/get?dryRun=true", "Viewer", []byte(`{"params":{"id":"a/b","part":"p","q":"x y"}}`), nil)
	var out struct {
		DryRun  bool
		Request struct {
			Method, URL string
			Body        any
		}
	}
	json.Unmarshal(r.Body, &out)
	if r.Status != 200 || !out.DryRun || out.Request.Method != "GET" || out.Request.Body != nil ||
		out.Request.URL != u.srv.URL+"/v1/things/a%2Fb/parts/p?both=x+y-a%2Fb&fixed=yes&q=x+y&tenant=t1" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := f.raw("actions/create?dryRun=1", "Editor", []byte(`{"params":{"name":"n"}}`), nil); r.Status != 400 {
		t.Fatalf("dryRun=1 must be refused like the message says (true|false): %d", r.Status)
	}
	r = f.raw("actions/create?dryRun=true", "Editor", []byte(`{"params":{"name":"n"}}`), nil)
	if !strings.Contains(string(r.Body), `"body":{"count":1,"fixed":true,"label":"item n x1","name":"n","nested":{"list":["n",null,1]}}`) {
		t.Fatalf("%s", r.Body)
	}
	if r := f.raw("actions/create?dryRun=maybe", "Editor", []byte(`{"params":{"name":"n"}}`), nil); r.Status != 400 {
		t.Fatalf("dryRun=maybe: %d", r.Status)
	}
	// Dry runs are authorized like runs.
	if r := f.raw("actions/delete?dryRun=true", "Editor", []byte(`{"params":{"id":1}}`), nil); r.Status != 403 {
		t.Fatalf("dry run without key: %d", r.Status)
	}
	if len(u.requests()) != 0 {
		t.Fatal("a dry run called the upstream")
	}
}

func TestIdempotencyKeyReplaysAndCollapsesConcurrentRuns(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	u.mu.Lock()
	u.hold = make(chan struct{})
	u.mu.Unlock()
	const n = 10
	var wg sync.WaitGroup
	results := make([]*resourcetest.Response, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = f.run("create", "Editor", map[string]any{"name": "once"}, map[string]string{"Idempotency-Key": "k-1"})
		}(i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(u.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the others queue behind the first
	close(u.hold)
	wg.Wait()
	if got := len(u.requests()); got != 1 {
		t.Fatalf("%d upstream calls for %d concurrent runs with one key", got, n)
	}
	replayed := 0
	for _, r := range results {
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if r.JSON()["replayed"] == true {
			replayed++
		}
	}
	if replayed != n-1 {
		t.Fatalf("%d replayed, want %d", replayed, n-1)
	}
	u.mu.Lock()
	u.hold = nil
	u.mu.Unlock()

	// Later, within the TTL: replayed again. Other callers and other keys are separate.
	if r := f.run("create", "Editor", map[string]any{"name": "once"}, map[string]string{"Idempotency-Key": "k-1"}); r.JSON()["replayed"] != true {
		t.Fatalf("not replayed: %s", r.Body)
	}
	resourcetest.Call(f.handler, resourcetest.Request{Method: "POST", Path: "actions/create", Role: "Editor", Login: "other",
		Body: []byte(`{"params":{"name":"once"}}`), Headers: map[string][]string{"Idempotency-Key": {"k-1"}}})
	f.run("create", "Editor", map[string]any{"name": "once"}, map[string]string{"Idempotency-Key": "k-2"})
	if got := len(u.requests()); got != 3 {
		t.Fatalf("upstream calls = %d, want 3", got)
	}
	// The same key with other parameters is refused.
	if r := f.run("create", "Editor", map[string]any{"name": "twice"}, map[string]string{"Idempotency-Key": "k-1"}); r.Status != 422 {
		t.Fatalf("reuse: %d %s", r.Status, r.Body)
	}
	// After the TTL the key is free again.
	f.advance(actions.IdempotencyTTL + time.Second)
	if r := f.run("create", "Editor", map[string]any{"name": "twice"}, map[string]string{"Idempotency-Key": "k-1"}); r.Status != 200 || r.JSON()["replayed"] != false {
		t.Fatalf("after TTL: %d %s", r.Status, r.Body)
	}
	// Failures before the upstream answered are not kept: a retry runs.
	bad := map[string]string{"Idempotency-Key": "k-3"}
	if r := f.run("create", "Editor", map[string]any{}, bad); r.Status != 400 {
		t.Fatal(r.Status)
	}
	if r := f.run("create", "Editor", map[string]any{"name": "ok"}, bad); r.Status != 200 || r.JSON()["replayed"] != false {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	for _, k := range []string{strings.Repeat("k", 256), "has space", "tab\t"} {
		if r := f.run("create", "Editor", map[string]any{"name": "x"}, map[string]string{"Idempotency-Key": k}); r.Status != 400 {
			t.Fatalf("key %q: %d", k, r.Status)
		}
	}
}

func TestOpenAPIDocumentsEachAction(t *testing.T) {
	u := newUpstream(t)
	f := newFixture(t, u)
	doc, err := openapi3.NewLoader().LoadFromData(f.inst.Call(resourcetest.Request{Path: "openapi.json", Role: "Viewer"}).Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Find("/actions/create").Post
	params := op.RequestBody.Value.Content.Get("application/json").Schema.Value.Properties["params"].Value
	if params.Properties["count"].Value.Max == nil || *params.Properties["count"].Value.Max != 10 ||
		!reflect.DeepEqual(params.Required, []string{"name"}) || params.Example == nil {
		t.Fatalf("create params schema: %+v", params)
	}
	// The example is valid against the schema.
	if err := params.VisitJSON(params.Example); err != nil {
		t.Fatalf("example: %v", err)
	}
	if doc.Paths.Find("/actions/delete").Post.Extensions["x-relay-api-key-required"] != true {
		t.Fatal("delete does not say it needs an API key")
	}
}
