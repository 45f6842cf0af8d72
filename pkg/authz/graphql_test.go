package authz

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

func graphQLRule(g *settings.GraphQLRule) *Rule {
	rs := CompileRules([]settings.ProxyRule{{Path: "/graphql", Methods: []string{"GET", "POST"}, MinRole: role.Viewer, GraphQL: g}})
	r, _ := rs.Match("/graphql", "POST")
	return r
}

func jsonBody(v any) *RequestBody {
	b, _ := json.Marshal(v)
	return &RequestBody{ContentType: "application/json", Data: b}
}

func TestCheckGraphQL(t *testing.T) {
	queryOnly := &settings.GraphQLRule{Operations: []string{"query"}, MaxDepth: 4, MaxAliases: 3}
	deepFrags := `query { ...A } fragment A on Q { a { ...B } } fragment B on Q { b { ...C } } fragment C on Q { c { d { e } } } `
	cases := []struct {
		name   string
		rule   *settings.GraphQLRule
		method string
		params url.Values
		body   *RequestBody
		code   string // "" allowed
		msg    string // in the message
	}{
		{"query", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ items { id } }"}), "", ""},
		{"named query with variables", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "query Q($n: Int) { items(first: $n) { id } }", "operationName": "Q", "variables": map[string]any{"n": 1}}), "", ""},
		{"mutation", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "mutation Del { deleteItem(id: 1) }"}),
			"graphql_operation_denied", `the request holds a mutation ("Del")`},
		{"mutation in a batch", queryOnly, "POST", nil,
			jsonBody([]any{map[string]any{"query": "{ a }"}, map[string]any{"query": "mutation { b }"}}), "graphql_operation_denied", "request 1: "},
		{"mutation hidden behind operationName", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "query Safe { a } mutation Evil { b }", "operationName": "Safe"}), "graphql_operation_denied", `mutation ("Evil")`},
		{"operationName naming no operation", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "query Safe { a }", "operationName": "Other"}), "graphql_invalid", "operationName"},
		{"subscription", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "subscription { ticks }"}), "graphql_operation_denied", "subscription"},
		{"subscription allowed", &settings.GraphQLRule{Operations: []string{"query", "subscription"}}, "POST", nil,
			jsonBody(map[string]any{"query": "subscription { ticks }"}), "", ""},
		{"mutation allowed", &settings.GraphQLRule{Operations: []string{"mutation"}}, "POST", nil,
			jsonBody(map[string]any{"query": "mutation { b }"}), "", ""},
		{"default operations are query only", &settings.GraphQLRule{}, "POST", nil,
			jsonBody(map[string]any{"query": "mutation { b }"}), "graphql_operation_denied", "allows GraphQL query operations only"},
		{"fragment cycle", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "query { ...A } fragment A on Q { a { ...B } } fragment B on Q { b { ...A } }"}), "graphql_invalid", "cycle"},
		{"self-spreading fragment", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "query { ...A } fragment A on Q { ...A }"}), "graphql_invalid", "cycle"},
		{"undefined fragment", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "query { ...Nope }"}), "graphql_invalid", `"Nope" is not defined`},
		{"deep nesting", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ a { b { c { d { e } } } } }"}),
			"graphql_operation_denied", "is 5 levels deep; the proxy rule for /graphql allows 4 (graphql.maxDepth)"},
		{"depth at the limit", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ a { b { c { d } } } }"}), "", ""},
		{"depth through fragments", queryOnly, "POST", nil, jsonBody(map[string]any{"query": deepFrags}), "graphql_operation_denied", "5 levels"},
		{"depth through inline fragments", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "{ a { ... on X { b { ... on Y { c { d { e } } } } } } }"}), "graphql_operation_denied", "5 levels"},
		{"aliases", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ a1: a a2: a a3: a a4: a }"}),
			"graphql_operation_denied", "more than 3 aliases"},
		{"aliases within the limit", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ a1: a a2: a a3: a b }"}), "", ""},
		{"aliases multiplied by fragment spreads", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": "{ x: a { ...F } y: a { ...F } } fragment F on T { p: q }"}), "graphql_operation_denied", "aliases"},
		{"aliases counted across a batch", queryOnly, "POST", nil,
			jsonBody([]any{map[string]any{"query": "{ a1: a a2: a }"}, map[string]any{"query": "{ b1: b b2: b }"}}), "graphql_operation_denied", "aliases"},
		{"introspection", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ __schema { types { name } } }"}),
			"graphql_operation_denied", "introspection"},
		{"introspection in a fragment", queryOnly, "POST", nil,
			jsonBody(map[string]any{"query": `{ ...F } fragment F on Query { __type(name: "X") { name } }`}), "graphql_operation_denied", "introspection"},
		{"introspection allowed", &settings.GraphQLRule{Introspection: true, MaxDepth: 10}, "POST", nil,
			jsonBody(map[string]any{"query": "{ __schema { types { name } } }"}), "", ""},
		{"__typename is no introspection", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "{ items { __typename } }"}), "", ""},
		{"parse error", queryOnly, "POST", nil, jsonBody(map[string]any{"query": `{ items(secret: "hunter2" { id } }`}),
			"graphql_invalid", "does not parse (line 1"},
		{"no operation", queryOnly, "POST", nil, jsonBody(map[string]any{"query": "fragment F on Q { a }"}), "graphql_invalid", "no operation"},
		{"missing query", queryOnly, "POST", nil, jsonBody(map[string]any{"variables": map[string]any{}}), "graphql_invalid", "query is required"},
		{"duplicate key", queryOnly, "POST", nil,
			&RequestBody{ContentType: "application/json", Data: []byte(`{"query":"{ a }","query":"mutation { b }"}`)}, "graphql_invalid", "appears twice"},
		{"key in another case", queryOnly, "POST", nil,
			&RequestBody{Data: []byte(`{"query":"{ a }","Query":"mutation { b }"}`)}, "graphql_invalid", "must be spelt"},
		{"persisted query", queryOnly, "POST", nil,
			jsonBody(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "abc"}}}),
			"graphql_operation_denied", "persisted"},
		{"document id", queryOnly, "POST", nil, jsonBody(map[string]any{"documentId": "abc"}), "graphql_operation_denied", "persisted"},
		{"trailing data", queryOnly, "POST", nil, &RequestBody{Data: []byte(`{"query":"{ a }"} {"query":"mutation { b }"}`)}, "graphql_invalid", "after"},
		{"empty batch", queryOnly, "POST", nil, &RequestBody{Data: []byte(`[]`)}, "graphql_invalid", "empty"},
		{"not JSON", queryOnly, "POST", nil, &RequestBody{Data: []byte(`query=mutation`)}, "graphql_invalid", "not JSON"},
		{"form body", queryOnly, "POST", nil,
			&RequestBody{ContentType: "application/x-www-form-urlencoded", Data: []byte(`query=mutation+%7Bb%7D`)}, "graphql_invalid", "Content-Type"},
		{"gzip body", queryOnly, "POST", nil,
			&RequestBody{ContentType: "application/json", ContentEncoding: "gzip", Data: []byte("\x1f\x8b")}, "graphql_invalid", "Content-Encoding"},
		{"application/graphql", queryOnly, "POST", nil,
			&RequestBody{ContentType: "application/graphql; charset=utf-8", Data: []byte("mutation { b }")}, "graphql_operation_denied", "mutation"},
		{"application/graphql query", queryOnly, "POST", nil, &RequestBody{ContentType: "application/graphql", Data: []byte("{ a }")}, "", ""},
		{"empty body", queryOnly, "POST", nil, &RequestBody{}, "graphql_invalid", "no GraphQL document"},
		{"unregistered body", queryOnly, "POST", nil, nil, "graphql_invalid", "could not read"},
		{"GET with a query", queryOnly, "GET", url.Values{"query": {"{ a }"}}, nil, "", ""},
		{"GET with a mutation", queryOnly, "GET", url.Values{"query": {"mutation { b }"}}, nil, "graphql_operation_denied", "mutation"},
		{"GET repeating query", queryOnly, "GET", url.Values{"query": {"{ a }", "mutation { b }"}}, nil, "graphql_invalid", "repeats"},
		{"GET without a document", queryOnly, "GET", nil, nil, "", ""},
		{"POST with a mutation in the URL", queryOnly, "POST", url.Values{"query": {"mutation { b }"}},
			jsonBody(map[string]any{"query": "{ a }"}), "graphql_operation_denied", "mutation"},
		{"token limit", &settings.GraphQLRule{MaxAliases: 1 << 20}, "POST", nil,
			jsonBody(map[string]any{"query": "{ " + strings.Repeat("a ", graphQLTokenLimit) + "}"}), "graphql_invalid", "tokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckGraphQL(graphQLRule(c.rule), c.method, c.params, c.body)
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed; want %s", c.code)
			}
			wantStatus := http.StatusForbidden
			if c.code == "graphql_invalid" {
				wantStatus = http.StatusBadRequest
			}
			if err.Code != c.code || err.Status != wantStatus || !strings.Contains(err.Message, c.msg) {
				t.Fatalf("got %d %s %q; want %d %s containing %q", err.Status, err.Code, err.Message, wantStatus, c.code, c.msg)
			}
			if strings.Contains(err.Message, "hunter2") || strings.Contains(err.Message, "deleteItem") {
				t.Fatalf("the message echoes the document: %q", err.Message)
			}
		})
	}
}

// A rule without a graphql block judges no body, as before.
func TestCheckGraphQLWithoutBlock(t *testing.T) {
	if err := CheckGraphQL(graphQLRule(nil), "POST", nil, &RequestBody{Data: []byte("mutation { b }")}); err != nil {
		t.Fatal(err)
	}
}

// Fragments spreading each other many times cost the document's size, not
// its expansion (2^40 leaves here), and the counts saturate instead of
// overflowing.
func TestCheckGraphQLFragmentFanOut(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("{ ...F0 }")
	for i := range 40 {
		doc.WriteString(" fragment F" + strconv.Itoa(i) + " on T { x: a { ...F" + strconv.Itoa(i+1) + " } y: a { ...F" + strconv.Itoa(i+1) + " } }")
	}
	doc.WriteString(" fragment F40 on T { z }")
	g := &settings.GraphQLRule{MaxDepth: 100, MaxAliases: 1000}
	err := CheckGraphQL(graphQLRule(g), "POST", nil, jsonBody(map[string]any{"query": doc.String()}))
	if err == nil || !strings.Contains(err.Message, "more than 1000 aliases") {
		t.Fatalf("got %v", err)
	}
}

// The gate applies the matched rule's block to the body the context carries,
// and skips it for admission-only questions (a cached answer's).
func TestGateChecksGraphQLBody(t *testing.T) {
	s := &settings.Settings{}
	s.Proxy.Rules = []settings.ProxyRule{{Path: "/graphql", Methods: []string{"POST"}, MinRole: role.Viewer,
		GraphQL: &settings.GraphQLRule{Operations: []string{"query"}}}}
	p := NewPolicy(s, func() time.Time { return time.Unix(0, 0) })
	u, _ := url.Parse("http://up/graphql")
	ctx := WithGrant(context.Background(), Grant{Caller: Caller{Login: "v", Role: role.Viewer}, Purpose: "query"})
	if err := p.CheckUpstream(ctx, "POST", u, "/graphql"); err == nil || !strings.Contains(err.Error(), "could not read") {
		t.Fatalf("no body registered: %v", err)
	}
	mut := WithRequestBody(ctx, *jsonBody(map[string]any{"query": "mutation { b }"}))
	if err := p.CheckUpstream(mut, "POST", u, "/graphql"); err == nil || !strings.Contains(err.Error(), "mutation") {
		t.Fatalf("mutation: %v", err)
	}
	q := WithRequestBody(ctx, *jsonBody(map[string]any{"query": "{ a }"}))
	if err := p.CheckUpstream(q, "POST", u, "/graphql"); err != nil {
		t.Fatalf("query: %v", err)
	}
	if err := p.CheckUpstream(WithAdmissionOnly(ctx), "POST", u, "/graphql"); err != nil {
		t.Fatalf("admission only: %v", err)
	}
}
