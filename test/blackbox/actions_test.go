package blackbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// The dev data source (dev/provisioning.yaml), so the actions and rules the
// documentation shows are the ones tested.
const (
	devRes = "/api/datasources/uid/relay-demo/resources"
	devKey = "relay-dev-automation-key" // dev/provisioning.yaml's "automation" key, for local use only
)

func startDev(t *testing.T) *harness.Stack {
	t.Helper()
	prov, err := os.ReadFile("../../dev/provisioning.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return harness.Start(t, harness.Options{Provisioning: string(prov), Env: map[string]string{"DEMO_BEARER_TOKEN": canary},
		DemoArgs: []string{"-bearer-token", canary}})
}

func TestActionsThroughGrafana(t *testing.T) {
	s := startDev(t)
	check := newDocChecker(t, s, devRes)

	// Each caller sees what it may run, with the parameter schema.
	names := func(user string) string {
		resp, body := s.Do("GET", devRes+"/actions", user, nil, nil)
		check.response("GET", "/actions", user, nil, nil, resp, body)
		var out struct {
			Actions []struct {
				Name   string
				Schema map[string]any
			}
		}
		json.Unmarshal(body, &out)
		var n []string
		for _, a := range out.Actions {
			n = append(n, a.Name)
			if a.Schema["type"] != "object" {
				t.Errorf("%s: schema %v", a.Name, a.Schema)
			}
		}
		return strings.Join(n, ",")
	}
	if got := names("viewer"); got != "find-items" {
		t.Fatalf("viewer sees %s", got)
	}
	if got := names("editor"); got != "create-item,find-items,delete-item" {
		t.Fatalf("editor sees %s", got)
	}

	// Run: the result is the upstream's answer; a JSON-breaking name arrives as data.
	name := `Lamp "deluxe"}, "price": 0, "x": {"`
	params := map[string]any{"params": map[string]any{"name": name, "price": 12.5, "category": "toys"}}
	if resp, body := s.Do("POST", devRes+"/actions/create-item", "viewer", params, nil); resp.StatusCode != 403 {
		t.Fatalf("viewer ran create-item: %d %s", resp.StatusCode, body)
	}
	resp, body := s.Do("POST", devRes+"/actions/create-item", "editor", params, nil)
	check.response("POST", "/actions/create-item", "editor", params, nil, resp, body)
	var res struct {
		Status  int
		Headers map[string]string
		Body    struct {
			ID       int
			Name     string
			Price    float64
			Category string
			Tags     []string
		}
	}
	if err := json.Unmarshal(body, &res); err != nil || resp.StatusCode != 200 || res.Status != 201 {
		t.Fatalf("create-item: %d %s", resp.StatusCode, body)
	}
	if res.Body.Name != name || res.Body.Price != 12.5 || res.Body.Category != "toys" || strings.Join(res.Body.Tags, ",") != "new" ||
		res.Headers["Location"] != fmt.Sprintf("/api/items/%d", res.Body.ID) {
		t.Fatalf("created %+v", res)
	}
	// The upstream stored exactly that item.
	_, body = s.Do("GET", fmt.Sprintf("%s/proxy/api/items/%d", devRes, res.Body.ID), "viewer", nil, nil)
	if got := decode(t, body); got["name"] != name || got["price"] != 12.5 {
		t.Fatalf("stored item %v", got)
	}

	// Invalid parameters: 400 with one entry per field, and no upstream call.
	before := demoCount(t, s, "/api/items")
	bad := map[string]any{"params": map[string]any{"name": "", "price": "cheap", "category": "cars", "tag": "Bad Tag", "colour": "red"}}
	resp, body = s.Do("POST", devRes+"/actions/create-item", "editor", bad, nil)
	check.response("POST", "/actions/create-item", "editor", bad, nil, resp, body)
	e := decode(t, body)
	details, _ := e["details"].([]any)
	if resp.StatusCode != 400 || e["code"] != "invalid_params" || len(details) != 5 {
		t.Fatalf("invalid params: %d %s", resp.StatusCode, body)
	}
	if demoCount(t, s, "/api/items") != before {
		t.Fatal("an invalid run reached the upstream")
	}

	// A query-template action, for Viewers.
	find := map[string]any{"params": map[string]any{"category": "garden", "limit": "3"}}
	resp, body = s.Do("POST", devRes+"/actions/find-items", "viewer", find, nil)
	var found struct {
		Body struct{ Items []struct{ Category string } }
	}
	json.Unmarshal(body, &found)
	if resp.StatusCode != 200 || len(found.Body.Items) != 3 || found.Body.Items[0].Category != "garden" {
		t.Fatalf("find-items: %d %.300s", resp.StatusCode, body)
	}

	// delete-item needs the Editor role and the "automation" API key.
	del := map[string]any{"params": map[string]any{"id": res.Body.ID}}
	for _, c := range []struct {
		user, key string
		status    int
		code      string
	}{
		{"viewer", devKey, 403, "role_required"},
		{"editor", "", 403, "api_key_required"},
		{"editor", "not-the-key", 403, "api_key_invalid"},
		{"editor", devKey, 200, ""},
		{"editor", devKey, 404, "upstream_status"}, // already deleted: the upstream's 404, with its body
	} {
		h := map[string]string{}
		if c.key != "" {
			h["X-API-Key"] = c.key
		}
		resp, body := s.Do("POST", devRes+"/actions/delete-item", c.user, del, h)
		check.response("POST", "/actions/delete-item", c.user, del, h, resp, body)
		if resp.StatusCode != c.status || (c.code != "" && decode(t, body)["code"] != c.code) {
			t.Errorf("delete-item as %s key %q: %d %s", c.user, c.key, resp.StatusCode, body)
		}
		if strings.Contains(string(body), devKey) {
			t.Fatal("the key is echoed")
		}
	}

	// dryRun shows the rendered request and calls nothing.
	before = demoCount(t, s, "/api/items")
	resp, body = s.Do("POST", devRes+"/actions/create-item?dryRun=true", "editor", params, nil)
	check.response("POST", "/actions/create-item?dryRun=true", "editor", params, nil, resp, body)
	dry := decode(t, body)
	req, _ := dry["request"].(map[string]any)
	if resp.StatusCode != 200 || dry["dryRun"] != true || req["method"] != "POST" || req["url"] != s.DemoURL+"/api/items" {
		t.Fatalf("dry run: %d %s", resp.StatusCode, body)
	}
	if demoCount(t, s, "/api/items") != before {
		t.Fatal("the dry run called the upstream")
	}

	// The audit log names each run, the key used and why calls were refused; never bodies or secrets.
	_, body = s.Do("GET", devRes+"/audit?limit=100", "admin", nil, nil)
	audit := string(body)
	for _, want := range []string{`"path":"/actions/delete-item","status":200,`, `"apiKey":"automation"`, `"reason":"api_key_invalid"`,
		`"reason":"invalid_params"`, `"reason":"dry_run"`, `"reason":"upstream_status_404"`} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %s", want)
		}
	}
	assertNoCanary(t, "audit", audit, s.DevHostLog())
	for _, secret := range []string{devKey, "not-the-key", "deluxe"} {
		if strings.Contains(audit, secret) || strings.Contains(s.DevHostLog(), secret) {
			t.Errorf("%q appears in the audit log or the plugin log", secret)
		}
	}
}

func TestActionIdempotencyThroughGrafana(t *testing.T) {
	s := startDev(t)
	before := demoCount(t, s, "/api/items")
	params := map[string]any{"params": map[string]any{"name": "once", "price": 1}}
	const n = 8
	var wg sync.WaitGroup
	ids := make([]string, n)
	replayed := make([]bool, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, body := s.With(t).Do("POST", devRes+"/actions/create-item", "editor", params, map[string]string{"Idempotency-Key": "bb-key-1"})
			var r struct {
				Replayed bool
				Body     struct{ ID json.Number }
			}
			if err := json.Unmarshal(body, &r); err != nil || resp.StatusCode != 200 {
				t.Errorf("%d %s", resp.StatusCode, body)
				return
			}
			ids[i], replayed[i] = r.Body.ID.String(), r.Replayed
		}(i)
	}
	wg.Wait()
	if got := demoCount(t, s, "/api/items") - before; got != 1 {
		t.Fatalf("%d upstream calls for %d runs with one Idempotency-Key", got, n)
	}
	fresh := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("different results: %v", ids)
		}
		if !replayed[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("%d runs claim to be the first", fresh)
	}
	// Another caller with the same key is another run; the same key with other parameters is refused.
	s.Do("POST", devRes+"/actions/create-item", "admin", params, map[string]string{"Idempotency-Key": "bb-key-1"})
	if got := demoCount(t, s, "/api/items") - before; got != 2 {
		t.Fatalf("keys are not per caller: %d calls", got)
	}
	other := map[string]any{"params": map[string]any{"name": "twice", "price": 1}}
	if resp, body := s.Do("POST", devRes+"/actions/create-item", "editor", other, map[string]string{"Idempotency-Key": "bb-key-1"}); resp.StatusCode != 422 {
		t.Fatalf("key reuse: %d %s", resp.StatusCode, body)
	}
}

// TestActionTemplatesCannotBeSteered sends hostile values through a path
// template into the demo API's echo endpoint, which reports the path exactly
// as it arrived.
func TestActionTemplatesCannotBeSteered(t *testing.T) {
	s := start(t, `{"rateLimits":{"disabled":true},"actions":[
		{"name":"echo","method":"POST","path":"/api/echo/{a}/fixed/{b}","minRole":"Viewer",
		 "query":{"q":"{{a}}"},"body":{"a":"{{a}}","msg":"a={{a}}","n":"{{n}}"},
		 "params":[{"name":"a","type":"string"},{"name":"b","type":"string"},{"name":"n","type":"integer"}]},
		{"name":"unauthorized","method":"GET","path":"/status/401","minRole":"Viewer"}]}`)
	for _, v := range []string{"../../admin", "..%2F..%2Fadmin", "a/b", "x?admin=1", "x#f", `"}{"`, "a b+c&d=e", "%252F", "é"} {
		p := map[string]any{"params": map[string]any{"a": v, "b": "end", "n": 7}}
		resp, body := s.Do("POST", res+"/actions/echo", "viewer", p, nil)
		if resp.StatusCode != 200 {
			t.Errorf("%q: %d %s", v, resp.StatusCode, body)
			continue
		}
		var r struct {
			Body struct {
				EscapedPath string `json:"escaped_path"`
				RawQuery    string `json:"raw_query"`
				JSON        map[string]any
			}
		}
		json.Unmarshal(body, &r)
		segs := strings.Split(r.Body.EscapedPath, "/")
		if len(segs) != 6 || segs[2] != "echo" || segs[4] != "fixed" || segs[5] != "end" {
			t.Errorf("%q: upstream path %s", v, r.Body.EscapedPath)
			continue
		}
		if got, _ := url.PathUnescape(segs[3]); got != v {
			t.Errorf("%q: segment arrived as %q", v, got)
		}
		if q, err := url.ParseQuery(r.Body.RawQuery); err != nil || len(q) != 1 || q.Get("q") != v {
			t.Errorf("%q: query arrived as %s", v, r.Body.RawQuery)
		}
		if b := r.Body.JSON; len(b) != 3 || b["a"] != v || b["msg"] != "a="+v || b["n"] != 7.0 {
			t.Errorf("%q: body arrived as %v", v, b)
		}
	}
	for _, v := range []string{"..", ".", "", "%2e%2e"} {
		p := map[string]any{"params": map[string]any{"a": v, "b": "end"}}
		if resp, body := s.Do("POST", res+"/actions/echo", "viewer", p, nil); resp.StatusCode != 400 {
			t.Errorf("%q: %d %s", v, resp.StatusCode, body)
		}
	}
	// An upstream 401 is never passed on as a 401 (Grafana would end the session).
	resp, body := s.Do("POST", res+"/actions/unauthorized", "viewer", nil, nil)
	if resp.StatusCode != 502 || decode(t, body)["code"] != "upstream_unauthorized" {
		t.Fatalf("upstream 401: %d %s", resp.StatusCode, body)
	}
	assertNoCanary(t, "responses and logs", string(body), s.DevHostLog())
}

// demoCount asks the demo API how many requests reached path.
func demoCount(t *testing.T, s *harness.Stack, path string) int {
	t.Helper()
	resp, err := s.Client.Get(s.DemoURL + "/api/counter?path=" + url.QueryEscape(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Count int }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Count
}

// docChecker validates real requests and responses against the served OpenAPI document.
type docChecker struct {
	t      *testing.T
	s      *harness.Stack
	base   string
	router routers.Router
}

func newDocChecker(t *testing.T, s *harness.Stack, base string) *docChecker {
	t.Helper()
	_, body := s.Do("GET", base+"/openapi.json", "viewer", nil, nil)
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("document invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: s.URL(base)}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &docChecker{t: t, s: s, base: base, router: router}
}

func (d *docChecker) response(method, path, user string, body any, headers map[string]string, resp *http.Response, rb []byte) {
	d.t.Helper()
	req := d.s.Request(method, d.base+path, user, nil)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	route, params, err := d.router.FindRoute(req)
	if err != nil {
		d.t.Fatalf("%s %s not in the document: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if body != nil {
		raw, _ := json.Marshal(body)
		req.Body = http.NoBody
		req, _ = http.NewRequest(method, d.s.URL(d.base+path), strings.NewReader(string(raw)))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		in.Request = req
		if resp.StatusCode < 300 {
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				d.t.Errorf("request %s %s invalid per the document: %v", method, path, err)
			}
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(rb)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		d.t.Errorf("response of %s %s (%d) does not match the document: %v", method, path, resp.StatusCode, err)
	}
}
