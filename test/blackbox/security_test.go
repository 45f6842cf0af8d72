package blackbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// The security review's findings (issue 15), each reproduced as an attacker
// with a Viewer login would, through the dev host and the plugin protocol.

const securityRules = `{"proxy":{"rules":[
	{"path":"/api/echo*","methods":["GET","POST"],"minRole":"Viewer"},
	{"path":"/api/items","methods":["GET"],"minRole":"Viewer"},
	{"path":"/api/items","methods":["POST"],"minRole":"Editor"},
	{"path":"/api/items/","methods":["GET","DELETE"],"minRole":"Editor"},
	{"path":"/redirect","methods":["GET","POST"],"minRole":"Viewer"},
	{"path":"/headers","methods":["GET"],"minRole":"Admin"},
	{"path":"/large","methods":["GET"],"minRole":"Viewer"},
	{"path":"/status/","methods":["GET"],"minRole":"Viewer"}]},
	"transform":{"maxInputBytes":1048576},"rateLimits":{"disabled":true}}`

func securityStack(t *testing.T) *harness.Stack { return start(t, securityRules) }

func dsQuery(s *harness.Stack, user string, queries ...map[string]any) (int, queryResponse, []byte) {
	for _, q := range queries {
		q["datasource"] = map[string]any{"uid": uid}
	}
	resp, body := s.Do("POST", "/api/ds/query", user, map[string]any{"from": "now-1h", "to": "now", "queries": queries}, nil)
	var out queryResponse
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out, body
}

func itemTotal(t *testing.T, s *harness.Stack) float64 {
	t.Helper()
	_, body := s.Do("GET", res+"/proxy/api/items?limit=1", "admin", nil, nil)
	total, ok := decode(t, body)["total"].(float64)
	if !ok {
		t.Fatalf("no total in %s", body)
	}
	return total
}

func TestSecurityLinkPaginationPassesThePolicy(t *testing.T) {
	s := securityStack(t)
	before := itemTotal(t, s)
	// Finding 2a: POST /api/echo reflects params.next; the next page used to
	// be POSTed with the same body to /api/items (Editor only) and create an item.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "method": "POST", "path": "/api/echo",
		"params": map[string]any{"next": "/api/items"}, "body": `{"name":"pwned","category":"garden","price":1}`,
		"pagination": map[string]any{"mode": "link", "nextPath": "query.next.0"}, "pipeline": map[string]any{"root": "query.next"}})
	if status != 400 || !strings.Contains(out.Results["A"].Error, "link pagination follows next links with GET") {
		t.Fatalf("POST with link pagination: %d %.400s", status, body)
	}
	if after := itemTotal(t, s); after != before {
		t.Fatalf("a Viewer query created items: %v → %v", before, after)
	}
	// Finding 2b: a GET whose next link points at an Admin-only path.
	status, out, body = dsQuery(s, "viewer", map[string]any{"refId": "B", "path": "/api/echo/x",
		"params": map[string]any{"next": "/headers"}, "pagination": map[string]any{"mode": "link", "nextPath": "query.next.0"},
		"pipeline": map[string]any{"root": "query.next"}})
	if status != 400 || out.Results["B"].Status != 403 || !strings.Contains(out.Results["B"].Error, "requires the Admin role") {
		t.Fatalf("next link to an Admin path: %d %.400s", status, body)
	}
	assertNoCanary(t, "the query answer", string(body))
	// The same query is fine for an Admin: the rule, not the mode, decides (the
	// engine reads every page; a page without the root adds no rows).
	if status, _, body := dsQuery(s, "admin", map[string]any{"refId": "C", "path": "/api/echo/x",
		"params": map[string]any{"next": "/api/items"}, "pagination": map[string]any{"mode": "link", "nextPath": "query.next.0"},
		"pipeline": map[string]any{"root": "query.next"}}); status != 200 || strings.Contains(string(body), "requires the") {
		t.Fatalf("admin follows the link to the next page: %d %.300s", status, body)
	}
}

func TestSecurityRedirectsAreReauthorised(t *testing.T) {
	s := securityStack(t)
	// Finding 3: a same-origin 302 to an Admin-only path.
	resp, body := s.Do("GET", res+"/proxy/redirect?to=/headers", "viewer", nil, nil)
	if resp.StatusCode != 502 || decode(t, body)["code"] != "upstream_redirect" || !strings.Contains(string(body), "requires the Admin role") {
		t.Fatalf("302 to an Admin path: %d %s", resp.StatusCode, body)
	}
	assertNoCanary(t, "the redirect answer", string(body))
	// A 307 replays the POST body: to an Editor-only path it must not go.
	before := itemTotal(t, s)
	resp, body = s.Do("POST", res+"/proxy/redirect?to=/api/items&code=307", "viewer",
		map[string]any{"name": "pwned", "category": "garden", "price": 1}, nil)
	if resp.StatusCode != 502 || decode(t, body)["code"] != "upstream_redirect" {
		t.Fatalf("307 POST to an Editor path: %d %s", resp.StatusCode, body)
	}
	if after := itemTotal(t, s); after != before {
		t.Fatalf("a Viewer's redirected POST created items: %v → %v", before, after)
	}
	// Queries follow the same rule.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/redirect", "params": map[string]any{"to": "/headers"}})
	if status != 400 || out.Results["A"].Status != 502 {
		t.Fatalf("query redirected to an Admin path: %d %.300s", status, body)
	}
	// A redirect the rules allow is followed.
	if resp, body := s.Do("GET", res+"/proxy/redirect?to=/api/items%3Flimit%3D1", "viewer", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("allowed redirect: %d %s", resp.StatusCode, body)
	}
}

func TestSecurityQueryWritesAndRefusalsAreAudited(t *testing.T) {
	s := securityStack(t)
	// Finding 4: an Editor's DELETE through a query left no audit entry.
	status, _, body := dsQuery(s, "editor", map[string]any{"refId": "A", "method": "DELETE", "path": "/api/items/7"})
	if status != 200 && status != 400 {
		t.Fatalf("editor delete: %d %s", status, body)
	}
	dsQuery(s, "viewer", map[string]any{"refId": "B", "method": "DELETE", "path": "/api/items/8"})
	_, body = s.Do("GET", res+"/audit?limit=20", "admin", nil, nil)
	var audit struct {
		Entries []struct {
			Route, Method, Path, Login, Outcome, Reason string
		}
	}
	_ = json.Unmarshal(body, &audit)
	var sawWrite, sawDenied bool
	for _, e := range audit.Entries {
		if e.Route == "query" && e.Method == "DELETE" && e.Path == "/api/items/7" && e.Login == "editor" && e.Outcome == "allowed" {
			sawWrite = true
		}
		if e.Route == "query" && e.Path == "/api/items/8" && e.Login == "viewer" && e.Outcome == "denied" && e.Reason == "role_required" {
			sawDenied = true
		}
	}
	if !sawWrite || !sawDenied {
		t.Fatalf("audit lacks the query write (%v) or the refusal (%v): %s", sawWrite, sawDenied, body)
	}
}

func TestSecurityQueriesAreBoundedCalls(t *testing.T) {
	s := start(t, `{"query":{"maxCallsPerRequest":5,"maxPages":20},
		"rateLimits":{"classes":{"query":{"perSecond":0.001,"burst":8}}}}`)
	// One request of pages × queries is capped...
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/items",
		"pagination": map[string]any{"mode": "offset", "pageSize": 10}, "pipeline": map[string]any{"root": "items"}})
	if status != 400 || out.Results["A"].Status != 429 || !strings.Contains(out.Results["A"].Error, "maxCallsPerRequest") {
		t.Fatalf("25 pages under a cap of 5 calls: %d %.300s", status, body)
	}
	// ... and every upstream call is charged to the caller's query class:
	// 5 were spent above, 3 remain of the burst of 8.
	var qs []map[string]any
	for i := range 5 {
		qs = append(qs, map[string]any{"refId": fmt.Sprintf("Q%d", i), "path": "/api/items", "params": map[string]any{"limit": "1"}})
	}
	_, out, body = dsQuery(s, "viewer", qs...)
	ok, limited := 0, 0
	for _, r := range out.Results {
		switch {
		case r.Status == 429 && strings.Contains(r.Error, "rate limit"):
			limited++
		case r.Error == "":
			ok++
		}
	}
	if ok != 3 || limited != 2 {
		t.Fatalf("want 3 answered and 2 rate limited, got %d and %d: %.500s", ok, limited, body)
	}
	// Another user has a limiter of their own.
	if status, _, body := dsQuery(s, "editor", map[string]any{"refId": "E", "path": "/api/items"}); status != 200 {
		t.Fatalf("editor: %d %.300s", status, body)
	}
}

func TestSecurityUpstreamSnippetsAreScrubbed(t *testing.T) {
	// Finding 8: the demo repeats the Authorization it got in an error body;
	// with Basic auth that is base64("cid:<secret>"), which a plain-value
	// scrubber does not recognise.
	s := harness.Start(t, harness.Options{Provisioning: `apiVersion: 1
datasources:
  - name: Basic
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData: {"auth":{"type":"basic","basicUser":"cid"},"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true}}
    secureJsonData:
      basicAuthPassword: ` + canary + `
`})
	encoded := base64.StdEncoding.EncodeToString([]byte("cid:" + canary))
	for _, path := range []string{"/status/400", "/status/500"} {
		status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": path, "params": map[string]any{"reflect": "1"}})
		if status != 400 || !strings.Contains(out.Results["A"].Error, "you sent Authorization: Basic [redacted]") {
			t.Fatalf("%s: %d %.400s", path, status, body)
		}
		if strings.Contains(string(body), encoded) || strings.Contains(string(body), canary) {
			t.Fatalf("%s: the credentials reached the caller: %.400s", path, body)
		}
	}
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/status/404", "params": map[string]any{"reflect": "1"}}}, nil)
	if resp.StatusCode != 404 || strings.Contains(string(body), encoded) {
		t.Fatalf("/transform source: %d %s", resp.StatusCode, body)
	}
	assertNoCanary(t, "the dev host and plugin log", s.DevHostLog())
	if strings.Contains(s.DevHostLog(), encoded) {
		t.Fatal("the encoded credentials reached a log line")
	}
}

func TestSecurityOneHeaderPolicy(t *testing.T) {
	s := securityStack(t)
	// Finding 9: query and /transform headers used a denylist that let these through.
	for _, h := range []string{"X-HTTP-Method-Override", "X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Id-Token", "Proxy-Authorization"} {
		status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/echo/x", "headers": map[string]any{h: "DELETE"}})
		if status != 400 || !strings.Contains(out.Results["A"].Error, "cannot be set by a query") {
			t.Errorf("query header %s: %d %.300s", h, status, body)
		}
		resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/api/echo/x", "headers": map[string]any{h: "1"}}}, nil)
		if resp.StatusCode != 400 {
			t.Errorf("/transform source header %s: %d %.300s", h, resp.StatusCode, body)
		}
	}
	// A plain custom header is still a query's to set.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/echo/x", "headers": map[string]any{"X-Tenant": "t1"},
		"pipeline": map[string]any{"root": "headers", "columns": []any{map[string]any{"name": "t", "selector": "X-Tenant.0"}}}})
	if status != 200 || len(out.Results["A"].Frames) != 1 || fmt.Sprint(out.Results["A"].Frames[0].Data.Values) != "[[t1]]" {
		t.Fatalf("custom header: %d %.300s", status, body)
	}
	// The proxy forwards none of them either.
	resp, body := s.Do("POST", res+"/proxy/api/echo", "viewer", "{}", map[string]string{"X-HTTP-Method-Override": "DELETE",
		"X-Real-Ip": "10.0.0.1", "X-Id-Token": "forged", "Content-Type": "application/json"})
	for _, h := range []string{"X-Http-Method-Override", "X-Real-Ip", "X-Id-Token", "forged"} {
		if resp.StatusCode != 200 || strings.Contains(string(body), h) {
			t.Fatalf("proxy forwarded %s: %d %s", h, resp.StatusCode, body)
		}
	}
}

func TestSecuritySmallerFindings(t *testing.T) {
	s := securityStack(t)
	// An oversized upstream answer is the upstream's fault: 502, not 413.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/large",
		"params": map[string]any{"size": "2097152"}}}, nil)
	if resp.StatusCode != 502 || decode(t, body)["code"] != "upstream_too_large" {
		t.Fatalf("oversized upstream answer: %d %s", resp.StatusCode, body)
	}
	// audit?limit must be a positive number.
	for _, l := range []string{"abc", "-1", "1e3"} {
		if resp, body := s.Do("GET", res+"/audit?limit="+url.QueryEscape(l), "admin", nil, nil); resp.StatusCode != 400 {
			t.Errorf("audit?limit=%s: %d %s", l, resp.StatusCode, body)
		}
	}
	// A client's X-Request-Id is kept for correlation but is not the audit id.
	resp, _ = s.Do("DELETE", res+"/proxy/api/items/9", "viewer", nil, map[string]string{"X-Request-Id": "chosen-by-client"})
	if got := resp.Header.Get("X-Request-Id"); got == "" || got == "chosen-by-client" {
		t.Fatalf("response request id %q", got)
	}
	relayID := resp.Header.Get("X-Request-Id")
	// Probes refused as ambiguous are audited as denied.
	if resp, body := s.Do("GET", res+"/proxy/api/items/a%252e%252e", "viewer", nil, nil); resp.StatusCode != 400 {
		t.Fatalf("ambiguous probe: %d %s", resp.StatusCode, body)
	}
	_, body = s.Do("GET", res+"/audit?limit=50", "admin", nil, nil)
	var audit struct {
		Entries []struct{ RequestID, ClientRequestID, Reason, Outcome, Path string }
	}
	_ = json.Unmarshal(body, &audit)
	var sawIDs, sawProbe bool
	for _, e := range audit.Entries {
		sawIDs = sawIDs || (e.RequestID == relayID && e.ClientRequestID == "chosen-by-client")
		sawProbe = sawProbe || (e.Reason == "ambiguous_path" && e.Outcome == "denied")
	}
	if !sawIDs || !sawProbe {
		t.Fatalf("audit: ids %v, probe %v: %s", sawIDs, sawProbe, body)
	}
}

func TestSecurityPerUserCaps(t *testing.T) {
	s := start(t, `{"proxy":{"maxConcurrent":8,"maxConcurrentPerUser":2,"rules":[{"path":"/slow","methods":["GET"],"minRole":"Viewer"},
		{"path":"/slow-body","methods":["GET"],"minRole":"Viewer"}]},
		"transform":{"maxInputBytes":1048576,"maxInFlightBytesPerUser":1048576,"maxInFlightBytes":2097152},
		"rateLimits":{"disabled":true}}`)
	// Finding 5: one Viewer's hanging calls must not take every proxy slot.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Do("GET", res+"/proxy/slow?delay=3s", "viewer", nil, nil)
		}()
	}
	time.Sleep(700 * time.Millisecond)
	resp, body := s.Do("GET", res+"/proxy/slow?delay=0", "viewer", nil, nil)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "this user already has 2 calls") {
		t.Fatalf("third concurrent call of one user: %d %s", resp.StatusCode, body)
	}
	if resp, body := s.Do("GET", res+"/proxy/slow?delay=0", "editor", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("another user while the viewer's calls hang: %d %s", resp.StatusCode, body)
	}
	wg.Wait()
	// In-flight bytes: slow bodies being buffered for transforms hold the
	// user's byte budget (charged as they arrive); beyond it, 503.
	slow := map[string]any{"source": map[string]any{"path": "/slow-body", "params": map[string]any{"chunks": "20", "interval": "150ms"}}}
	statuses := make(chan int, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := s.Do("POST", res+"/transform", "viewer", slow, nil)
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	busy := 0
	for st := range statuses {
		if st == 503 {
			busy++
		}
	}
	if busy < 2 {
		t.Fatalf("%d of 6 concurrent buffered transforms refused; the 1 MiB user budget holds 4 reads", busy)
	}
	if resp, body := s.Do("POST", res+"/transform", "viewer", slow, nil); resp.StatusCode != 200 {
		t.Fatalf("after the others finished the budget is back: %d %s", resp.StatusCode, body)
	}
}

// Finding 7: the dev config's catch-all GET rule exposed endpoints that
// reflect request headers, and with them Relay's own bearer token.
func TestSecurityDevConfigIsLeastPrivilege(t *testing.T) {
	s := startDev(t)
	for _, p := range []string{"/proxy/headers", "/proxy/api/echo/x", "/proxy/status/200"} {
		resp, body := s.Do("GET", devRes+p, "viewer", nil, nil)
		if resp.StatusCode != 403 {
			t.Errorf("%s: %d %.200s", p, resp.StatusCode, body)
		}
		assertNoCanary(t, p, string(body))
	}
	if resp, body := s.Do("GET", devRes+"/proxy/api/items?limit=2", "viewer", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the README's proxy example: %d %s", resp.StatusCode, body)
	}
}

// Findings 1 and 6: a pipeline root with gjson modifiers grew the plugin to
// gigabytes, and a filter allocating a large range per row burned CPU for
// seconds; both are refused with a clear error, quickly, through every route.
func TestSecurityPipelineCostIsBounded(t *testing.T) {
	s := start(t, `{"rateLimits":{"disabled":true}}`)
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": map[string]any{"s": deep},
		"pipeline": map[string]any{"root": "s|@fromstr|@pretty"}}, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "@fromstr") {
		t.Fatalf("modifier root: %d %.300s", resp.StatusCode, body)
	}
	if resp, body := s.Do("GET", res+"/schema?path=/api/items&root="+url.QueryEscape("items|@pretty"), "viewer", nil, nil); resp.StatusCode != 400 {
		t.Fatalf("/schema modifier root: %d %.300s", resp.StatusCode, body)
	}
	status, _, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/items", "pipeline": map[string]any{"root": "items|@pretty"}})
	if status != 400 || !strings.Contains(string(body), "@pretty") {
		t.Fatalf("query modifier root: %d %.300s", status, body)
	}
	status, _, body = dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/items",
		"pagination": map[string]any{"mode": "cursor", "cursorPath": "next_cursor|@fromstr"}})
	if status != 400 || !strings.Contains(string(body), "pagination.cursorPath") {
		t.Fatalf("cursorPath modifier: %d %.300s", status, body)
	}
	rows := make([]map[string]any, 20_000)
	for i := range rows {
		rows[i] = map[string]any{"i": i}
	}
	start := time.Now()
	resp, body = s.Do("POST", res+"/transform", "viewer", map[string]any{"data": rows,
		"pipeline": map[string]any{"steps": []any{map[string]any{"type": "filter", "expr": "len(filter(1..400000, # % 7 == 0)) > 0"}}}}, nil)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(string(body), "steps[0]") {
		t.Fatalf("costly filter: %d %.300s", resp.StatusCode, body)
	}
	t.Logf("costly filter refused in %v", time.Since(start))
}

// One ambiguous-path rule for resource paths and upstream paths: a
// scheme-relative path, a '..;' segment and a scheme-like first segment are
// refused as probes (400 ambiguous_path, audited) before any route sees them,
// exactly as the upstream client's check would refuse them.
func TestSecurityResourcePathsPassTheUpstreamPathRule(t *testing.T) {
	s := start(t, `{"rateLimits":{"disabled":true}}`)
	for _, p := range []string{"/proxy/api/..;/items", "/proxy/api/items/..;", "/http:x", "/proxy//api/items"} {
		resp, body := s.Do("GET", res+p, "viewer", nil, nil)
		if resp.StatusCode != 400 || decode(t, body)["code"] != "ambiguous_path" {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
}
