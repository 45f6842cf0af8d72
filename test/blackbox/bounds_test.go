package blackbox

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// The second security review's findings on computation over untrusted input
// (issue 21 §1–3, jq aside), each as a Viewer would send it, against a
// hostile upstream on loopback (harness.Hostile). Each checks the process
// survives, the answer is a clear JSON error or a bounded result, and the
// plugin's peak memory stays bounded.

// peakBoundMiB is far above what the bounded cases take (even with the race
// detector's overhead) and far below what the unbounded ones took (1.3 GB and up).
const peakBoundMiB = 900

// hostileStack runs a data source on the hostile upstream; extra is merged
// into its jsonData.
func hostileStack(t *testing.T, extra string) *harness.Stack {
	t.Helper()
	h := harness.StartHostile(t)
	jd := map[string]any{"network": map[string]any{"allowPrivateNetworks": true},
		"proxy":      map[string]any{"rules": []any{map[string]any{"path": "/", "methods": []string{"GET", "POST"}, "minRole": "Viewer"}}},
		"transform":  map[string]any{"maxInputBytes": 16 << 20},
		"rateLimits": map[string]any{"disabled": true}}
	if extra != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(extra), &m); err != nil {
			t.Fatalf("bad test jsonData: %v", err)
		}
		for k, v := range m {
			jd[k] = v
		}
	}
	b, _ := json.Marshal(jd)
	return harness.Start(t, harness.Options{Provisioning: `apiVersion: 1
datasources:
  - name: Hostile
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: ` + h.URL() + `
    jsonData: ` + string(b) + "\n"})
}

// assertAlive fails when the plugin process died or stopped answering, and
// when its peak RSS passed peakBoundMiB.
func assertAlive(t *testing.T, s *harness.Stack) {
	t.Helper()
	if err := syscall.Kill(s.PluginPID, 0); err != nil {
		t.Fatalf("the plugin process is gone: %v", err)
	}
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": []any{map[string]any{"a": 1}}}, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("the plugin no longer answers: %d %.300s", resp.StatusCode, body)
	}
	if peak := peakMiB(t, s.PluginPID); peak > peakBoundMiB {
		t.Fatalf("plugin peak RSS %d MiB, over %d MiB", peak, peakBoundMiB)
	}
}

func peakMiB(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n / 1024
		}
	}
	t.Fatalf("no VmHWM for %d", pid)
	return 0
}

func wantError(t *testing.T, what string, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var e struct {
		Error  string `json:"error"`
		Code   string `json:"code"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(body, &e); err != nil || status != wantStatus || e.Code != wantCode || e.Status != wantStatus || e.Error == "" {
		t.Fatalf("%s: %d %.400s; want %d %s", what, status, body, wantStatus, wantCode)
	}
}

// §1: a pagination body field of a million dotted segments built a million
// nested maps that json.Marshal recursed into until the stack overflowed.
func TestBoundsPaginationTargetDepth(t *testing.T) {
	s := hostileStack(t, "")
	deep := strings.Repeat("a.", 1_000_000) + "offset"
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "method": "POST", "path": "/echo", "body": "{}",
		"pagination": map[string]any{"mode": "offset", "in": "body", "offsetParam": deep}, "pipeline": map[string]any{"root": "items"}})
	if status != 400 || out.Results["A"].Status != 400 || !strings.Contains(out.Results["A"].Error, "dotted segments") {
		t.Fatalf("in body: %d %.300s", status, body)
	}
	// GraphQL variables take the same path.
	status, out, body = dsQuery(s, "viewer", map[string]any{"refId": "B", "path": "/echo",
		"graphql":    map[string]any{"query": "{ items { id } }"},
		"pagination": map[string]any{"mode": "offset", "offsetParam": deep}, "pipeline": map[string]any{"root": "items"}})
	if status != 400 || out.Results["B"].Status != 400 || !strings.Contains(out.Results["B"].Error, "dotted segments") {
		t.Fatalf("graphql: %d %.300s", status, body)
	}
	assertAlive(t, s)
}

// §1: gjson evaluates a path one call deeper per component: a pagination
// cursorPath of a million "@this|" overflowed the stack on the first page.
// (Roots and column selectors were bounded to 1,024 bytes already.)
func TestBoundsPaginationPathDepth(t *testing.T) {
	s := hostileStack(t, "")
	chain := strings.Repeat("@this|", 1_000_000) + "next"
	for _, field := range []string{"cursorPath", "hasNextPath", "nextPath"} {
		p := map[string]any{"mode": "cursor", "cursorPath": "next", field: chain}
		if field == "nextPath" {
			p = map[string]any{"mode": "link", field: chain}
		}
		status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/echo", "pagination": p,
			"pipeline": map[string]any{"root": "items"}})
		if status != 400 || out.Results["A"].Status != 400 || !strings.Contains(out.Results["A"].Error, "pagination."+field) {
			t.Fatalf("%s: %d %.300s", field, status, body)
		}
	}
	assertAlive(t, s)
}

// §1/§2: macros walk the pipeline's JSON with a path per level, and a
// column's default may nest as deep as encoding/json allows: 2,000 levels of
// 1 KB keys made 2 GB of path strings.
func TestBoundsPipelineWalkDepth(t *testing.T) {
	s := hostileStack(t, "")
	key := strings.Repeat("k", 1000)
	deflt := strings.Repeat(`{"`+key+`":`, 2000) + `"${__user.login}"` + strings.Repeat("}", 2000)
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "data": []any{map[string]any{"a": 1}},
		"pipeline": map[string]any{"columns": []any{map[string]any{"name": "a", "type": "json", "default": json.RawMessage(deflt)}}}})
	if status != 400 || out.Results["A"].Status != 400 || !strings.Contains(out.Results["A"].Error, "nested deeper than") {
		t.Fatalf("deep default: %d %.300s", status, body)
	}
	assertAlive(t, s)
}

// §2: 64 KB of gzip served as text/html without Content-Encoding was
// decoded on its magic bytes into 64 MiB of elements (2.6 GB of DOM), and
// /schema used the default limits instead of the data source's.
func TestBoundsSchemaGzipServedAsHTML(t *testing.T) {
	s := hostileStack(t, `{"transform":{"maxInputBytes":1048576}}`)
	for _, format := range []string{"html", "auto"} {
		resp, body := s.Do("GET", res+"/schema?path=/gzip-as-html&format="+format, "viewer", nil, nil)
		if resp.StatusCode != 200 && resp.StatusCode != 400 {
			t.Fatalf("format %s: %d %.300s", format, resp.StatusCode, body)
		}
	}
	assertAlive(t, s)
	// A query reads it as the bytes it is too.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/gzip-as-html"},
		"pipeline": map[string]any{"format": "html", "root": "p"}}, nil)
	if resp.StatusCode != 200 && resp.StatusCode != 400 {
		t.Fatalf("transform: %d %.300s", resp.StatusCode, body)
	}
	assertAlive(t, s)
}

// §2: cells spanning 1,000 columns and rows made 1.4 MB into 1.7 GB of
// grid; the grid is charged to the caller's share as it grows.
func TestBoundsSpanGridIsCharged(t *testing.T) {
	// A small share, so the grid stops early (the default stops at 96 MiB).
	s := hostileStack(t, `{"transform":{"maxInputBytes":2097152,"maxInFlightBytesPerUser":8388608,"maxInFlightBytes":16777216}}`)
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/spans.html"},
		"pipeline": map[string]any{"format": "html"}}, nil)
	wantError(t, "span grid", resp.StatusCode, body, 413, "memory_budget")
	resp, body = s.Do("GET", res+"/schema?path=/spans.html&format=html", "viewer", nil, nil)
	if resp.StatusCode != 200 && resp.StatusCode != 413 {
		t.Fatalf("schema: %d %.300s", resp.StatusCode, body)
	}
	assertAlive(t, s)
}

// §2: /schema's XML root suggestions kept every open element's path as a
// string: 10 MB of deep, long-named XML became 1.28 GB.
func TestBoundsXMLRootSuggestions(t *testing.T) {
	s := hostileStack(t, "")
	resp, body := s.Do("GET", res+"/schema?path=/deep.xml&format=xml", "viewer", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("schema: %d %.300s", resp.StatusCode, body)
	}
	assertAlive(t, s)
}

// §3: :nth-child over 60,000 siblings is quadratic (109 s against a 30 s
// timeout); such a selector is costed against the page and refused.
func TestBoundsQuadraticSelectors(t *testing.T) {
	s := hostileStack(t, "")
	for _, p := range []map[string]any{
		{"format": "html", "root": "p:nth-child(2n+1)"},
		{"format": "html", "root": "div", "columns": []any{map[string]any{"name": "x", "selector": "p:nth-last-child(2n+1)"}}},
		{"format": "html", "root": "p ~ p"},
	} {
		resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/wide.html"}, "pipeline": p}, nil)
		wantError(t, fmt.Sprint(p), resp.StatusCode, body, 422, "expression_too_costly")
	}
	// A cheap selector over the same page still works.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/wide.html"},
		"pipeline": map[string]any{"format": "html", "root": "div > p"}}, nil)
	if resp.StatusCode != 200 || decode(t, body)["rows"] != float64(60_000) {
		t.Fatalf("div > p: %d %.300s", resp.StatusCode, body)
	}
	assertAlive(t, s)
}

// §3: /schema's HTML root suggestions matched a selector over the whole
// page for every ancestor of every candidate (352 KB: 288 s, then a 200).
func TestBoundsHTMLRootSuggestions(t *testing.T) {
	s := hostileStack(t, "")
	resp, body := s.Do("GET", res+"/schema?path=/lists.html&format=html", "viewer", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("schema: %d %.300s", resp.StatusCode, body)
	}
	roots, _ := decode(t, body)["roots"].([]any)
	if len(roots) != 20 || !strings.Contains(fmt.Sprint(roots[1]), "div:nth-of-type(1) > ul:nth-of-type(2) > li") {
		t.Fatalf("roots: %.400s", body)
	}
	assertAlive(t, s)
}

// §3: one request's queries are bounded in number, and inline queries (no
// upstream call) are charged to the caller's query rate class.
func TestBoundsQueriesPerRequestAndInlineRate(t *testing.T) {
	s := hostileStack(t, `{"query":{"maxQueriesPerRequest":5},"rateLimits":{"classes":{"query":{"perSecond":0.01,"burst":3}}}}`)
	inline := func(ref string) map[string]any {
		return map[string]any{"refId": ref, "data": []any{map[string]any{"a": 1}}}
	}
	var qs []map[string]any
	for i := range 6 {
		qs = append(qs, inline(fmt.Sprint("Q", i)))
	}
	status, out, body := dsQuery(s, "viewer", qs...)
	if status != 400 || out.Results["Q0"].Status != 400 || !strings.Contains(out.Results["Q0"].Error, "maxQueriesPerRequest") {
		t.Fatalf("6 queries: %d %.300s", status, body)
	}
	// Burst 3: the fourth inline query of the caller is rate limited.
	status, out, body = dsQuery(s, "viewer", inline("A"), inline("B"), inline("C"), inline("D"))
	limited := 0
	for _, r := range out.Results {
		if r.Status == 429 && strings.Contains(r.Error, "rate limit for query") {
			limited++
		}
	}
	if limited != 1 {
		t.Fatalf("4 inline queries with burst 3: %d %.400s", status, body)
	}
}

// §3: the transforms of one request share a time budget (eight inline
// queries used to run a minute).
func TestBoundsTransformTimePerRequest(t *testing.T) {
	s := hostileStack(t, `{"query":{"maxTransformTimePerRequest":"300ms"}}`)
	rows := make([]any, 3000)
	for i := range rows {
		rows[i] = map[string]any{"a": i}
	}
	var qs []map[string]any
	for i := range 4 {
		qs = append(qs, map[string]any{"refId": fmt.Sprint("Q", i), "data": rows,
			"pipeline": map[string]any{"steps": []any{map[string]any{"type": "filter", "expr": "len(filter(1..3000, # % 7 == int(a) % 7)) > 0"}}}})
	}
	_, out, body := dsQuery(s, "viewer", qs...)
	spent := 0
	for _, r := range out.Results {
		if r.Status == 429 && strings.Contains(r.Error, "maxTransformTimePerRequest") {
			spent++
		}
	}
	if spent == 0 {
		t.Fatalf("no query stopped by the request's transform time: %.600s", body)
	}
}
