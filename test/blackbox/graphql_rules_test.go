package blackbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Issue 27 §2: a proxy rule with a graphql block reads the document before it
// reaches the upstream, for /proxy and queries alike.

// graphqlRules let Viewers read everything and send GraphQL queries (not
// mutations, at most 4 levels deep, 3 aliases, no introspection) to the demo.
const graphqlRules = `{"proxy":{"rules":[{"path":"/","methods":["GET","HEAD"]},` +
	`{"path":"/api/graphql","methods":["POST"],"graphql":{"operations":["query"],"maxDepth":4,"maxAliases":3}}]}}`

func TestGraphQLRuleProxy(t *testing.T) {
	s := start(t, graphqlRules)
	resetDemoCounter(t, s)
	post := func(body any, headers map[string]string) (int, map[string]any) {
		t.Helper()
		resp, b := s.Do("POST", res+"/proxy/api/graphql", "viewer", body, headers)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%d %.300s", resp.StatusCode, b)
		}
		return resp.StatusCode, out
	}
	// A Viewer's query passes and reaches the demo.
	status, out := post(map[string]any{"query": "query Names { items(first: 2) { nodes { id name } } }", "operationName": "Names"}, nil)
	if status != 200 || !strings.Contains(mustJSON(out), `"name"`) {
		t.Fatalf("query: %d %v", status, out)
	}
	if n := demoCount(t, s, "/api/graphql"); n != 1 {
		t.Fatalf("the query reached the demo %d times", n)
	}
	resetDemoCounter(t, s)
	refused := []struct {
		name    string
		body    any
		headers map[string]string
		status  int
		code    string
		msg     string
	}{
		{"mutation", map[string]any{"query": `mutation Rename { renameItem(id: 1, name: "pwned") { id } }`}, nil,
			403, "graphql_operation_denied", `the request holds a mutation ("Rename")`},
		{"mutation behind operationName", map[string]any{"query": `query Safe { items { totalCount } } mutation Evil { renameItem(id: 1, name: "pwned") { id } }`,
			"operationName": "Safe"}, nil, 403, "graphql_operation_denied", `mutation ("Evil")`},
		{"mutation in a batch", []any{map[string]any{"query": "{ items { totalCount } }"},
			map[string]any{"query": `mutation { renameItem(id: 1, name: "pwned") { id } }`}}, nil, 403, "graphql_operation_denied", "request 1: "},
		{"application/graphql mutation", `mutation { renameItem(id: 1, name: "pwned") { id } }`,
			map[string]string{"Content-Type": "application/graphql"}, 403, "graphql_operation_denied", "mutation"},
		{"too deep", map[string]any{"query": "{ items { nodes { tags { x { y } } } } }"}, nil, 403, "graphql_operation_denied", "graphql.maxDepth"},
		{"aliases", map[string]any{"query": "{ a: items { totalCount } b: items { totalCount } c: items { totalCount } d: items { totalCount } }"}, nil,
			403, "graphql_operation_denied", "graphql.maxAliases"},
		{"introspection", map[string]any{"query": "{ __schema { types { name } } }"}, nil, 403, "graphql_operation_denied", "introspection"},
		{"fragment cycle", map[string]any{"query": "{ items { ...A } } fragment A on ItemConnection { ...B } fragment B on ItemConnection { ...A }"}, nil,
			400, "graphql_invalid", "cycle"},
		{"parse error", map[string]any{"query": `{ items(category: "s3cr3t-token" { totalCount } }`}, nil, 400, "graphql_invalid", "does not parse (line 1"},
		{"duplicate keys", `{"query":"{ items { totalCount } }","query":"mutation { renameItem(id: 1, name: \"pwned\") { id } }"}`,
			map[string]string{"Content-Type": "application/json"}, 400, "graphql_invalid", "appears twice"},
	}
	for _, c := range refused {
		status, out := post(c.body, c.headers)
		msg, _ := out["error"].(string)
		if status != c.status || out["code"] != c.code || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %v", c.name, status, out)
		}
		if strings.Contains(msg, "pwned") || strings.Contains(msg, "s3cr3t") {
			t.Errorf("%s: the error echoes the document: %q", c.name, msg)
		}
	}
	// None of them reached the demo: no call, and item 1 kept its name.
	if n := demoCount(t, s, "/api/graphql"); n != 0 {
		t.Fatalf("refused documents reached the demo %d times", n)
	}
	_, b := s.Do("GET", res+"/proxy/api/items/1", "viewer", nil, nil)
	if strings.Contains(string(b), "pwned") {
		t.Fatalf("the mutation ran: %s", b)
	}
	// Audited with the reason.
	_, b = s.Do("GET", res+"/audit?limit=50", "admin", nil, nil)
	var audit struct {
		Entries []struct{ Route, Path, Login, Outcome, Reason string }
	}
	_ = json.Unmarshal(b, &audit)
	denied := 0
	for _, e := range audit.Entries {
		if e.Route == "proxy" && e.Login == "viewer" && e.Reason == "graphql_operation_denied" {
			denied++
		}
	}
	if denied < 7 {
		t.Fatalf("audit: %d graphql_operation_denied entries: %s", denied, b)
	}
}

// Queries are judged by the same rule: a GraphQL query passes, a mutation is
// refused before the demo sees it, and a refused query is audited.
func TestGraphQLRuleQueries(t *testing.T) {
	s := start(t, graphqlRules)
	resetDemoCounter(t, s)
	status, out, body := runQuery(t, s, map[string]any{"path": "/api/graphql",
		"graphql":  map[string]any{"query": "{ items(first: 3) { nodes { id } } }"},
		"pipeline": map[string]any{"root": "data.items.nodes"}})
	if status != 200 || len(column(t, out, "id")) != 3 {
		t.Fatalf("query: %d %s", status, body)
	}
	resetDemoCounter(t, s)
	_, out, body = runQuery(t, s, map[string]any{"path": "/api/graphql",
		"graphql": map[string]any{"query": `mutation Rename { renameItem(id: 1, name: "pwned") { id } }`}})
	if r := out.Results["A"]; r.Status != http.StatusForbidden || !strings.Contains(r.Error, `mutation ("Rename")`) {
		t.Fatalf("mutation: %s", body)
	}
	// A plain POST query with a GraphQL body is no way around it.
	_, out, body = runQuery(t, s, map[string]any{"path": "/api/graphql", "method": "POST",
		"body": `{"query": "mutation { renameItem(id: 1, name: \"pwned\") { id } }"}`})
	if r := out.Results["A"]; r.Status != http.StatusForbidden || !strings.Contains(r.Error, "mutation") {
		t.Fatalf("raw body mutation: %s", body)
	}
	if n := demoCount(t, s, "/api/graphql"); n != 0 {
		t.Fatalf("refused queries reached the demo %d times", n)
	}
	_, b := s.Do("GET", res+"/audit?limit=20", "admin", nil, nil)
	if !strings.Contains(string(b), `"reason":"graphql_operation_denied"`) {
		t.Fatalf("audit: %s", b)
	}
}

// GET /graphql/schema answers the upstream's introspection through the rules:
// refused where the rule's graphql block refuses introspection, answered and
// cached where it allows it.
func TestGraphQLSchemaRoute(t *testing.T) {
	s := start(t, graphqlRules)
	resp, b := s.Do("GET", res+"/graphql/schema?path=/api/graphql", "viewer", nil, nil)
	if resp.StatusCode != 403 || decode(t, b)["code"] != "graphql_operation_denied" || !strings.Contains(string(b), "introspection") {
		t.Fatalf("introspection refused by the rule: %d %s", resp.StatusCode, b)
	}

	s = start(t, `{"proxy":{"rules":[{"path":"/","methods":["GET","HEAD"]},`+
		`{"path":"/api/graphql","methods":["POST"],"graphql":{"operations":["query"],"introspection":true}}]}}`)
	resetDemoCounter(t, s)
	for range 2 {
		resp, b = s.Do("GET", res+"/graphql/schema?path=/api/graphql", "viewer", nil, nil)
		var out struct {
			Schema struct {
				QueryType    struct{ Name string }
				MutationType struct{ Name string }
				Types        []struct {
					Name   string
					Fields []struct{ Name string }
				}
			} `json:"__schema"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil || out.Schema.QueryType.Name != "Query" || out.Schema.MutationType.Name != "Mutation" {
			t.Fatalf("schema: %d %.300s", resp.StatusCode, b)
		}
		found := false
		for _, ty := range out.Schema.Types {
			for _, f := range ty.Fields {
				found = found || (ty.Name == "Item" && f.Name == "in_stock")
			}
		}
		if !found {
			t.Fatalf("no Item.in_stock in %.300s", b)
		}
	}
	if n := demoCount(t, s, "/api/graphql"); n != 1 {
		t.Fatalf("the schema was fetched %d times; the second answer should come from the cache", n)
	}
	// The upstream parameter picks a named upstream, as for queries.
	resp, b = s.Do("GET", res+"/graphql/schema?path=/api/graphql&upstream=nope", "viewer", nil, nil)
	if resp.StatusCode != 400 || decode(t, b)["code"] != "unknown_upstream" {
		t.Fatalf("unknown upstream: %d %s", resp.StatusCode, b)
	}
}
