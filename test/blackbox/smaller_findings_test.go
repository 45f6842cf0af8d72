package blackbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 21 §6, each finding as a caller meets it through the dev host.

// A user whose login and name try to break out of their place: a query
// string in a path, a JSON member in a body.
const trickyUsers = `
- {login: admin, password: admin, role: Admin}
- {login: viewer, password: viewer, role: Viewer}
- {login: "eve?admin=1", password: eve, name: 'x","admin":true,"y":"', role: Viewer}
`

func smallStack(t *testing.T) *harness.Stack {
	return startWithUsers(t, `{"proxy":{"rules":[
		{"path":"/api/echo*","methods":["GET","POST"],"minRole":"Viewer"},
		{"path":"/api/items","methods":["GET"],"minRole":"Viewer"},
		{"path":"/headers","methods":["GET"],"minRole":"Admin"}]},"rateLimits":{"disabled":true}}`, trickyUsers)
}

func TestSmallerMacrosKeepTheirPlace(t *testing.T) {
	s := smallStack(t)
	// ${__user.login} in a path: its "?" used to start a query string.
	status, out, body := dsQuery(s, "eve?admin=1", map[string]any{"refId": "A", "path": "/api/echo/${__user.login}"})
	if status != 400 || out.Results["A"].Status != 400 || strings.Contains(string(body), `admin=1"`) {
		t.Fatalf("a login's ? in the path: %d %.500s", status, body)
	}
	// In a query string written into the path, the login is one value.
	status, out, body = dsQuery(s, "eve?admin=1", map[string]any{"refId": "B", "path": "/api/echo/x?who=${__user.login}",
		"pipeline": map[string]any{"root": "query"}})
	if status != 200 || !strings.Contains(string(body), `eve?admin=1`) {
		t.Fatalf("the login as a query value: %d %.500s", status, body)
	}
	if strings.Contains(frameColumns(out, "B"), "admin") {
		t.Fatalf("the login added a query parameter: %s", frameColumns(out, "B"))
	}
	// ${__user.name} in a JSON body: escaped as string content, not injected.
	status, out, body = dsQuery(s, "eve?admin=1", map[string]any{"refId": "C", "method": "POST", "path": "/api/echo",
		"body": `{"who":"${__user.name}"}`, "headers": map[string]any{"Content-Type": "application/json"},
		"pipeline": map[string]any{"root": "json"}})
	if status != 200 {
		t.Fatalf("the name in a JSON body: %d %.500s", status, body)
	}
	if cols := frameColumns(out, "C"); cols != "who" {
		t.Fatalf("the name added members to the body: columns %q: %.500s", cols, body)
	}
}

func TestSmallerJQRootVariablesAreJQs(t *testing.T) {
	s := smallStack(t)
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "data": []any{map[string]any{"a": 1}, map[string]any{"a": 2}},
		"pipeline": map[string]any{"rootSyntax": "jq", "root": `. as $rows | $rows | map(select(.a > 1))`}})
	if status != 200 || len(out.Results["A"].Frames) != 1 {
		t.Fatalf("a jq root with its own $rows: %d %.500s", status, body)
	}
}

func TestSmallerHeaderPolicy(t *testing.T) {
	s := smallStack(t)
	// An invalid header value is the query's mistake: 400, not a 502.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/echo/x",
		"headers": map[string]any{"X-Note": "a\r\nX-Injected: 1"}})
	if status != 400 || out.Results["A"].Status != 400 || !strings.Contains(out.Results["A"].Error, "control character") {
		t.Fatalf("a header value with CR LF: %d %.500s", status, body)
	}
	// URL and method rewrites are refused like the forwarding headers.
	for _, h := range []string{"X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override", "X-Original-Method", "X-Envoy-Original-Path"} {
		status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/echo/x", "headers": map[string]any{h: "/headers"}})
		if status != 400 || !strings.Contains(out.Results["A"].Error, "cannot be set by a query") {
			t.Errorf("%s: %d %.300s", h, status, body)
		}
	}
}

func TestSmallerStrictTransformBodyAndDefaultUpstream(t *testing.T) {
	s := smallStack(t)
	for _, tail := range []string{"garbage", "}", `{"data":[]}`} {
		resp, body := s.Do("POST", res+"/transform", "viewer", []byte(`{"data":[{"a":1}],"pipeline":{}}`+tail),
			map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != 400 || decode(t, body)["code"] != "bad_request" {
			t.Errorf("trailing %q: %d %.300s", tail, resp.StatusCode, body)
		}
	}
	if resp, body := s.Do("POST", res+"/transform", "viewer", []byte("{\"data\":[{\"a\":1}],\"pipeline\":{}}\n \t"),
		map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Errorf("trailing white space: %d %.300s", resp.StatusCode, body)
	}
	// "_default" names the default upstream in a query as in /proxy/_default/.
	status, _, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "upstream": "_default", "path": "/api/items",
		"params": map[string]any{"limit": "1"}, "pipeline": map[string]any{"root": "items"}})
	if status != 200 {
		t.Fatalf(`"upstream": "_default": %d %.300s`, status, body)
	}
	if resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"upstream": "_default",
		"path": "/api/items"}, "pipeline": map[string]any{"root": "items"}}, nil); resp.StatusCode != 200 {
		t.Fatalf(`/transform source "upstream": "_default": %d %.300s`, resp.StatusCode, body)
	}
}

func TestSmallerAuditNamesUpstreamAndReason(t *testing.T) {
	s := smallStack(t)
	// A query that writes is audited with its upstream.
	if status, _, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "method": "POST", "path": "/api/echo", "body": "{}"}); status != 200 {
		t.Fatalf("query write: %d %.300s", status, body)
	}
	// A proxy denial is audited with its reason.
	if resp, body := s.Do("GET", res+"/proxy/headers", "viewer", nil, nil); resp.StatusCode != 403 {
		t.Fatalf("proxy denial: %d %.300s", resp.StatusCode, body)
	}
	_, body := s.Do("GET", res+"/audit", "admin", nil, nil)
	var log struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(body, &log); err != nil {
		t.Fatalf("audit: %v %.300s", err, body)
	}
	var query, denial map[string]any
	for _, e := range log.Entries {
		switch {
		case e["route"] == "query" && e["method"] == "POST":
			query = e
		case e["route"] == "proxy" && e["outcome"] == "denied":
			denial = e
		}
	}
	if query == nil || query["upstream"] != "default" {
		t.Errorf("the query's audit entry does not name its upstream: %v", query)
	}
	if denial == nil || denial["reason"] != "role_required" {
		t.Errorf("the proxy denial's audit entry has no reason: %v", denial)
	}
}

// frameColumns lists the field names of refID's first frame, comma-joined.
func frameColumns(out queryResponse, refID string) string {
	r := out.Results[refID]
	if len(r.Frames) == 0 {
		return ""
	}
	var names []string
	for _, f := range r.Frames[0].Schema.Fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ",")
}
