package query

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/apierr"
)

func TestUnresolvedVariablesByPlace(t *testing.T) {
	cases := []struct {
		name string
		at   place
		in   string
		// want is the expansion; "!" prefix: an unresolved_variable error naming that variable.
		want string
	}{
		{"text bare", placeText, "/api/$host/items", "!host"},
		{"text braced", placeText, "/api/${host}", "!host"},
		{"text braced format", placeText, "${host:csv}", "!host"},
		{"text braced field", placeText, "${obj.field}", "!obj"},
		{"text bracket", placeText, "[[host]]", "!host"},
		{"text bracket format", placeText, "[[host:regex]]", "!host"},
		{"text money", placeText, "costs $5", "costs $5"},
		{"text lone dollar", placeText, "a $ b $", "a $ b $"},
		{"text gjson escape", placeText, `\$ref`, `\$ref`},
		{"text macro", placeText, "t=$__from", "t=1700000000123"},
		{"expr filter", placeExpr, `category == "$cat"`, "!cat"},
		{"expr env", placeExpr, `$env["my-field"] > 1`, `$env["my-field"] > 1`},
		{"expr env braced", placeExpr, `${env}`, "!env"},
		{"expr nested array literal is no reference", placeExpr, `x in [[1, 2]]`, `x in [[1, 2]]`},
		{"expr macro", placeExpr, `time > date("${__from:date:iso}")`, `time > date("2023-11-14T22:13:20.123Z")`},
		{"body mongo operator", placeBody, `{"$match": {"a": 1}}`, `{"$match": {"a": 1}}`},
		{"body json schema ref", placeBody, `{"$ref": "#/x"}`, `{"$ref": "#/x"}`},
		{"body braced", placeBody, `{"host": "${host}"}`, "!host"},
		{"body bracket", placeBody, `{"host": "[[host]]"}`, "!host"},
		{"body macro", placeBody, `{"from": $__from}`, `{"from": 1700000000123}`},
		{"body unknown macro", placeBody, `{"from": $__timeFrom}`, "?unknown_macro"},
		{"code jq var", placeCode, `. as $rows | $__loc__ | $rows`, `. as $rows | $__loc__ | $rows`},
		{"code graphql var", placeCode, `query($after: String) { items(after: $after) { ids: [[ID]] } }`, `query($after: String) { items(after: $after) { ids: [[ID]] } }`},
		{"code braced macro", placeCode, `{ items(since: "${__from:date:iso}") { id } }`, `{ items(since: "2023-11-14T22:13:20.123Z") { id } }`},
		{"code braced variable", placeCode, `{ items(host: "${host}") { id } }`, "!host"},
	}
	for _, c := range cases {
		got, err := testMacros.expand(c.in, c.at, "steps[0].expr")
		switch {
		case strings.HasPrefix(c.want, "!"):
			if err == nil || err.Code != "unresolved_variable" || err.Status != 400 ||
				!strings.Contains(err.Message, `"`+c.want[1:]+`"`) || !strings.HasPrefix(err.Message, "steps[0].expr: ") {
				t.Errorf("%s: %q → %q, %v; want unresolved_variable %s at steps[0].expr", c.name, c.in, got, err, c.want[1:])
			}
		case strings.HasPrefix(c.want, "?"):
			if err == nil || err.Code != c.want[1:] {
				t.Errorf("%s: %q → %v, want %s", c.name, c.in, err, c.want[1:])
			}
		case err != nil || got != c.want:
			t.Errorf("%s: %q → %q, %v; want %q", c.name, c.in, got, err, c.want)
		}
	}
}

func parseQuery(t *testing.T, raw string) *Query {
	t.Helper()
	q, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse(%s): %v", raw, err)
	}
	return q
}

func TestQueryExpansionNamesTheField(t *testing.T) {
	cases := map[string]string{
		`{"path":"/api/items","params":{"host":"$host"}}`:                                                     "params.host",
		`{"path":"/api/items","params":{"$name":"x"}}`:                                                        "params",
		`{"path":"/api/items","headers":{"X-Tenant":"[[tenant]]"}}`:                                           "headers.X-Tenant",
		`{"path":"/api/${region}/items"}`:                                                                     "path",
		`{"path":"/x","method":"POST","body":"{\"h\":\"${host}\"}"}`:                                          "body",
		`{"path":"/x","pipeline":{"root":"data.$key"}}`:                                                       "root",
		`{"path":"/x","pipeline":{"columns":[{"name":"a","selector":"tags.$tag"}]}}`:                          "columns[0].selector",
		`{"path":"/x","pipeline":{"steps":[{"type":"filter","expr":"category == \"$cat\""}]}}`:                "steps[0].expr",
		`{"path":"/x","pipeline":{"steps":[{"type":"compute","name":"n","expr":"x * $factor"}]}}`:             "steps[0].expr",
		`{"path":"/x","pipeline":{"steps":[{"type":"groupBy","by":["$dim"],"aggregates":[{"op":"count"}]}]}}`: "steps[0].by[0]",
		`{"data":"a,b\n${x},1","pipeline":{"format":"csv"}}`:                                                  "data",
		`{"graphql":{"query":"{ a }","variables":{"h":"${host}"}}}`:                                           "graphql.variables",
		`{"path":"/x","pagination":{"mode":"list","valueParam":"h","values":["a","$hosts"]}}`:                 "pagination.values[1]",
	}
	for raw, field := range cases {
		q := parseQuery(t, raw)
		_, err := q.expand(testMacros)
		e, ok := err.(*apierr.Error)
		if !ok || e.Code != "unresolved_variable" || !strings.HasPrefix(e.Message, field+": ") {
			t.Errorf("%s: %v; want unresolved_variable at %s", raw, err, field)
		}
	}
}

func TestQueryExpansion(t *testing.T) {
	q := parseQuery(t, `{"path":"/api/items?since=${__from:date:YYYY-MM-DD}","params":{"tag":["a","b"],"to":"$__to"},
		"pipeline":{"root":"items","steps":[
			{"type":"filter","expr":"time > date(\"${__from:date:iso}\") && $env[\"x-y\"] != nil"},
			{"type":"jq","expr":". as $rows | $rows"}]}}`)
	x, err := q.expand(testMacros)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.req.Params.Encode(); got != "since=2023-11-14&tag=a&tag=b&to=1700003600123" {
		t.Errorf("params: %s", got)
	}
	b, _ := json.Marshal(x.pipeline)
	want := `{"root":"items","steps":[{"type":"filter","expr":"time \u003e date(\"2023-11-14T22:13:20.123Z\") \u0026\u0026 $env[\"x-y\"] != nil"},{"type":"jq","expr":". as $rows | $rows"}]}`
	if string(b) != want {
		t.Errorf("pipeline:\n%s\nwant\n%s", b, want)
	}
	// Unchanged pipelines are not copied.
	q = parseQuery(t, `{"path":"/x","pipeline":{"root":"items"}}`)
	if x, _ := q.expand(testMacros); x.pipeline != q.Pipeline {
		t.Error("a pipeline without references was copied")
	}
}

func TestGraphQLBody(t *testing.T) {
	q := parseQuery(t, `{"graphql":{"query":"query($first: Int) { items(first: $first, since: \"${__from:date:seconds}\") { id } }","variables":"{\"first\": 2}"}}`)
	if q.Method != "POST" || q.Path != "/graphql" {
		t.Fatalf("method %s path %s", q.Method, q.Path)
	}
	x, err := q.expand(testMacros)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"query":"query($first: Int) { items(first: $first, since: \"1700000000\") { id } }","variables":{"first":2}}`
	if x.req.Body != want || !x.req.GraphQL {
		t.Errorf("body %s", x.req.Body)
	}
	for raw, want := range map[string]string{
		`{"graphql":{"query":""}}`:                                                                         "graphql.query",
		`{"graphql":{"query":"{a}","variables":"{bad"}}`:                                                   "graphql.variables",
		`{"graphql":{"query":"{a}","variables":[1]}}`:                                                      "graphql.variables",
		`{"graphql":{"query":"{a}"},"method":"GET"}`:                                                       "method",
		`{"graphql":{"query":"{a}"},"data":[1]}`:                                                           "data",
		`{"path":"/x","pagination":{"mode":"cursor","cursorPath":"c","in":"variable"}}`:                    "pagination.in",
		`{"path":"/x","pagination":{"mode":"list","values":["a"]}}`:                                        "pagination.valueParam",
		`{"path":"/x","pagination":{"mode":"list","valueParam":"v"}}`:                                      "pagination.values",
		`{"path":"/x","pagination":{"mode":"cursor","in":"header","cursorParam":"Host","cursorPath":"c"}}`: "Host",
		`{"path":"/x","format":"graph"}`:                                                                   "format",
	} {
		if _, err := Parse([]byte(raw)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error naming %s", raw, err, want)
		}
	}
}

func TestSetTarget(t *testing.T) {
	req := request{Params: map[string][]string{}, Headers: map[string]string{}, Body: `{"filter":{"a":1}}`}
	for _, c := range []struct {
		in, name, value string
		number          bool
	}{
		{"query", "offset", "10", true}, {"header", "X-Page", "2", true}, {"body", "page.after", "abc", false},
		{"body", "page.size", "50", true}, {"variable", "after", "c1", false},
	} {
		if err := setTarget(&req, c.in, c.name, c.value, c.number); err != nil {
			t.Fatal(err)
		}
	}
	if req.Params.Get("offset") != "10" || req.Headers["X-Page"] != "2" ||
		req.Body != `{"filter":{"a":1},"page":{"after":"abc","size":50},"variables":{"after":"c1"}}` {
		t.Errorf("%+v", req)
	}
	req.Body = "not json"
	if err := setTarget(&req, "body", "x", "1", true); err == nil {
		t.Error("a non-object body took a field")
	}
}

// Issue 21 §6: a text macro's value is written in the format of its place,
// so a login or a name cannot leave it (a query string, a JSON member, a jq
// or expression literal).
func TestTextMacrosKeepTheirPlace(t *testing.T) {
	m := Macros{DSName: `my "ds"`}
	m.User.Login, m.User.Name = "eve?admin=1#x/../y%2F", `x","admin":true,"y":"\`
	q := &Query{Method: "POST", Path: "/u/${__user.login}/x?who=${__user.login}&n=${__user.name}",
		Headers: map[string]string{"X-Who": "${__user.login}"}, Body: `{"who":"${__user.name}"}`}
	req, err := q.request(m)
	if err != nil {
		t.Fatal(err)
	}
	if req.Path != "/u/eve%3Fadmin=1%23x%2F..%2Fy%252F/x" {
		t.Errorf("path %q", req.Path)
	}
	if req.Params.Get("who") != m.User.Login || req.Params.Get("n") != m.User.Name || len(req.Params) != 2 {
		t.Errorf("params %v", req.Params)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil || len(body) != 1 || body["who"] != m.User.Name {
		t.Errorf("body %s: %v", req.Body, err)
	}
	if req.Headers["X-Who"] != m.User.Login {
		t.Errorf("header %q", req.Headers["X-Who"])
	}
	// An explicit format wins; numbers and dates stay as they are.
	if got, _ := m.expandAt("${__user.login:raw}", placePath, "path"); got != m.User.Login {
		t.Errorf("explicit format: %q", got)
	}
	if got, _ := m.expandAt(`. as $x | ${__ds.name}`, placeCode, "expr"); got != `. as $x | "my \"ds\""` {
		t.Errorf("code: %q", got)
	}
	if got, _ := m.expandAt(`name == "${__ds.name}" || name == ${__ds.name}`, placeExpr, "expr"); got != `name == "my \"ds\"" || name == "my \"ds\""` {
		t.Errorf("expr: %q", got)
	}
	// A header value that would split the request is the query's mistake.
	m.User.Login = "a\r\nX-Injected: 1"
	if _, err := q.request(m); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("CR LF in a header value: %v", err)
	}
}
