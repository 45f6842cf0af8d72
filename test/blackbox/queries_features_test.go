package blackbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 13: queries with macros and template variables, inline data, GraphQL,
// pagination targets and sources, list of values, output formats.

// queriesRules lets Viewers read everything and POST to the GraphQL and
// search endpoints (queries obey the proxy rules like the proxy).
const queriesRules = `{"proxy":{"rules":[{"path":"/","methods":["GET","HEAD"]},` +
	`{"path":"/api/graphql","methods":["POST"]},{"path":"/api/items/search","methods":["POST"]}]}}`

func runQuery(t *testing.T, s *harness.Stack, q map[string]any) (int, queryResponse, []byte) {
	t.Helper()
	q["refId"], q["datasource"] = "A", map[string]any{"uid": uid}
	resp, body := s.Do("POST", "/api/ds/query", "viewer",
		map[string]any{"from": "1700000000123", "to": "1700003600123", "queries": []any{q}}, nil)
	var out queryResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	return resp.StatusCode, out, body
}

// column returns the values of the named field of the first frame.
func column(t *testing.T, out queryResponse, name string) []any {
	t.Helper()
	fr := out.Results["A"].Frames
	if len(fr) != 1 {
		t.Fatalf("frames: %+v", out.Results["A"])
	}
	for i, f := range fr[0].Schema.Fields {
		if f.Name == name {
			return fr[0].Data.Values[i]
		}
	}
	t.Fatalf("no field %q in %+v", name, fr[0].Schema.Fields)
	return nil
}

func TestQueriesMacrosAndUnresolvedVariables(t *testing.T) {
	s := start(t, "")
	status, out, body := runQuery(t, s, map[string]any{"path": "/api/echo/x",
		"params":  map[string]any{"day": "${__from:date:YYYY-MM-DD}", "range": "$__range_s", "tag": []string{"a", "b"}},
		"headers": map[string]any{"X-Who": "${__user.login}"},
		"pipeline": map[string]any{"columns": []any{
			map[string]any{"name": "q", "selector": "raw_query"}, map[string]any{"name": "who", "selector": "headers.X-Who.0"}}}})
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	if q := column(t, out, "q")[0]; q != "day=2023-11-14&range=3600&tag=a&tag=b" {
		t.Errorf("upstream query %v", q)
	}
	if who := column(t, out, "who")[0]; who != "viewer" {
		t.Errorf("${__user.login} = %v", who)
	}
	for _, c := range []struct {
		q    map[string]any
		want []string
	}{
		{map[string]any{"path": "/api/items", "pipeline": map[string]any{"root": "items",
			"steps": []any{map[string]any{"type": "filter", "expr": `category == "$cat"`}}}},
			[]string{"query A: unresolved_variable", `"cat"`, "steps[0].expr"}},
		{map[string]any{"path": "/api/items", "params": map[string]any{"since": "${__timeFilter}"}},
			[]string{"unknown_macro", "${__timeFilter}", "params.since"}},
		{map[string]any{"path": "/api/items/[[id]]"}, []string{"unresolved_variable", `"id"`, "path"}},
	} {
		status, out, body := runQuery(t, s, c.q)
		a := out.Results["A"]
		if status != 400 || a.Status != 400 {
			t.Errorf("%v: %d %s", c.q, status, body)
		}
		for _, w := range c.want {
			if !strings.Contains(a.Error, w) {
				t.Errorf("%v: error %q lacks %q", c.q, a.Error, w)
			}
		}
	}
	// jq's and expr-lang's own "$" are no template variables.
	status, out, body = runQuery(t, s, map[string]any{"path": "/api/items", "pipeline": map[string]any{"root": "items",
		"steps": []any{map[string]any{"type": "jq", "expr": `. as $rows | $rows | map({id, n: ($rows | length)})`},
			map[string]any{"type": "filter", "expr": `$env["id"] <= 3`}}}})
	if status != 200 || len(column(t, out, "id")) != 3 {
		t.Errorf("jq/$env: %d %.300s", status, body)
	}
	// /transform answers the JSON error with its code.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/api/items/$id"}}, nil)
	if m := decode(t, body); resp.StatusCode != 400 || m["code"] != "unresolved_variable" {
		t.Errorf("/transform: %d %s", resp.StatusCode, body)
	}
}

func TestQueriesInlineData(t *testing.T) {
	s := start(t, `{"proxy":{"rules":[{"path":"/nothing","methods":["GET"]}]}}`)
	status, out, body := runQuery(t, s, map[string]any{"data": "host,cpu\nweb-1,0.5\nweb-2,0.9\n",
		"pipeline": map[string]any{"format": "csv", "steps": []any{map[string]any{"type": "filter", "expr": "cpu > 0.6"}}}})
	if status != 200 || fmt.Sprint(column(t, out, "host")) != "[web-2]" {
		t.Fatalf("csv data: %d %s", status, body)
	}
	status, out, body = runQuery(t, s, map[string]any{"data": []any{map[string]any{"a": 1}, map[string]any{"a": 2}}})
	if status != 200 || len(column(t, out, "a")) != 2 {
		t.Fatalf("json data: %d %s", status, body)
	}
}

func TestQueriesGraphQL(t *testing.T) {
	s := start(t, queriesRules)
	q := map[string]any{"path": "/api/graphql",
		"graphql": map[string]any{"query": "query($first: Int, $after: String) { items(first: $first, after: $after) { nodes { id name } pageInfo { endCursor hasNextPage } } }",
			"variables": `{"first": 100}`},
		"pagination": map[string]any{"mode": "cursor", "cursorParam": "after", "cursorPath": "data.items.pageInfo.endCursor",
			"hasNextPath": "data.items.pageInfo.hasNextPage"},
		"pipeline": map[string]any{"root": "data.items.nodes"}}
	status, out, body := runQuery(t, s, q)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	ids := column(t, out, "id")
	seen := map[any]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(ids) != 250 || len(seen) != 250 {
		t.Errorf("graphql cursor paging: %d rows, %d distinct", len(ids), len(seen))
	}
	// errors in the answer are the query's error, with the upstream's message, scrubbed.
	for doc, want := range map[string]string{
		`{ users { id } }`: `Cannot query field "users" on type "Query"`,
		`query($e: Boolean) { items(echoAuth: $e) { totalCount } }`: "not allowed for",
	} {
		bad := map[string]any{"path": "/api/graphql", "graphql": map[string]any{"query": doc, "variables": `{"e": true}`}}
		status, out, body := runQuery(t, s, bad)
		a := out.Results["A"]
		if status == 200 || a.Status != 502 || !strings.Contains(a.Error, "GraphQL upstream answered 1 error") || !strings.Contains(a.Error, want) {
			t.Errorf("graphql errors %s: %d %s", doc, status, body)
		}
		assertNoCanary(t, "a GraphQL error", string(body))
	}
}

func TestQueriesPaginationTargetsAndSources(t *testing.T) {
	s := start(t, queriesRules)
	headerPaged := func(format string) map[string]any {
		return map[string]any{"path": "/api/items/by-header", "params": map[string]any{"format": format},
			"headers":    map[string]any{"X-Limit": "100"},
			"pagination": map[string]any{"mode": "cursor", "in": "header", "cursorParam": "X-Cursor", "cursorHeader": "X-Next-Cursor"},
			"pipeline":   map[string]any{"format": map[string]string{"": "json", "csv": "csv", "ndjson": "ndjson"}[format]}}
	}
	cases := map[string]map[string]any{
		"header json":   headerPaged(""),
		"header csv":    headerPaged("csv"),
		"header ndjson": headerPaged("ndjson"),
		"body cursor": {"path": "/api/items/search", "method": "POST", "body": `{"page": {"size": 100}}`,
			"pagination": map[string]any{"mode": "cursor", "in": "body", "cursorParam": "page.cursor", "cursorPath": "next"},
			"pipeline":   map[string]any{"root": "results"}},
	}
	for name, q := range cases {
		status, out, body := runQuery(t, s, q)
		if status != 200 {
			t.Errorf("%s: %d %.400s", name, status, body)
			continue
		}
		ids := column(t, out, "id")
		seen := map[string]bool{}
		for _, id := range ids {
			seen[fmt.Sprint(id)] = true
		}
		if len(ids) != 250 || len(seen) != 250 {
			t.Errorf("%s: %d rows, %d distinct ids", name, len(ids), len(seen))
		}
	}
	// maxPages stops early, and the notice says why.
	q := headerPaged("csv")
	q["pagination"].(map[string]any)["maxPages"] = 2
	status, out, body := runQuery(t, s, q)
	notices := out.Results["A"].Frames[0].Schema.Meta.Notices
	if status != 200 || len(column(t, out, "id")) != 200 || len(notices) == 0 || !strings.Contains(notices[0].Text, "stopped after 2 pages") {
		t.Errorf("maxPages: %d %.500s", status, body)
	}
}

func TestQueriesListOfValues(t *testing.T) {
	s := start(t, "")
	status, out, body := runQuery(t, s, map[string]any{"path": "/api/values", "params": map[string]any{"ms": "1"},
		"pagination": map[string]any{"mode": "list", "valueParam": "value", "values": []string{"alpha", "be", "gamma"}, "valueColumn": "host"}})
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	if got := fmt.Sprint(column(t, out, "host"), column(t, out, "length")); got != "[alpha be gamma] [5 2 5]" {
		t.Errorf("list of values: %s", got)
	}
	// Every value is a call: the request's call budget bounds them.
	s = start(t, `{"query":{"maxCallsPerRequest":2}}`)
	status, out, _ = runQuery(t, s, map[string]any{"path": "/api/values", "params": map[string]any{"ms": "0"},
		"pagination": map[string]any{"mode": "list", "valueParam": "value", "values": []string{"a", "b", "c"}}})
	if a := out.Results["A"]; status == 200 || a.Status != 429 || !strings.Contains(a.Error, "maxCallsPerRequest") {
		t.Errorf("call budget: %d %+v", status, out.Results["A"])
	}
}

func TestQueriesOutputFormats(t *testing.T) {
	s := start(t, "")
	status, out, body := runQuery(t, s, map[string]any{"format": "logs",
		"data": `[{"msg":"started","time":"2024-05-01T10:00:00Z","level":"info"},{"msg":"failed","time":"2024-05-01T10:00:05Z","level":"error"}]`})
	if status != 200 || !strings.Contains(string(body), `"preferredVisualisationType":"logs"`) {
		t.Fatalf("logs: %d %s", status, body)
	}
	if f := out.Results["A"].Frames[0].Schema.Fields[0]; f.Name != "time" {
		t.Errorf("logs frame: time is not first: %+v", out.Results["A"].Frames[0].Schema.Fields)
	}
	span := `{"traceID":"t1","spanID":"s1","parentSpanID":"","operationName":"GET /","serviceName":"web","startTime":1700000000000,"duration":12}`
	status, _, body = runQuery(t, s, map[string]any{"format": "trace", "data": "[" + span + "]"})
	if status != 200 || !strings.Contains(string(body), `"preferredVisualisationType":"trace"`) {
		t.Errorf("trace: %d %s", status, body)
	}
	status, _, body = runQuery(t, s, map[string]any{"format": "nodegraph", "data": `[{"id":"e1","source":"a","target":"b"}]`})
	if status != 200 || !strings.Contains(string(body), `"name":"edges"`) || !strings.Contains(string(body), `"preferredVisualisationType":"nodeGraph"`) {
		t.Errorf("node graph edges: %d %s", status, body)
	}
	status, out, _ = runQuery(t, s, map[string]any{"format": "trace", "data": `[{"traceID":"t1"}]`})
	if status != 400 || !strings.Contains(out.Results["A"].Error, "spanID") {
		t.Errorf("trace without its fields: %d %+v", status, out.Results["A"])
	}
}
