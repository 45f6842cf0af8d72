package query

import (
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// FuzzExpand: the expander never panics, leaves text without "$" and "[["
// alone, and either fails with one of its two codes or leaves no macro of
// its own grammar behind (the values it writes contain no "$").
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"$__from", "${__from:date:YYYY-MM-DD}", "${__user.login:json}", "[[x:csv]]", "${a.b:c}",
		"$__interval_ms$__range", "${__to:date:[$x]}", `\$ref`, "${", "[[", "$", "${__from:date:", "price $5", "$env[\"a\"]"} {
		f.Add(s, uint8(0))
	}
	m := testMacros
	m.User.Login = "ada"
	f.Fuzz(func(t *testing.T, s string, p uint8) {
		at := place(p % 4)
		out, err := m.expand(s, at, "f")
		if !strings.Contains(s, "$") && !strings.Contains(s, "[[") {
			if err != nil || out != s {
				t.Fatalf("plain text changed: %q → %q, %v", s, out, err)
			}
		}
		if err != nil {
			if err.Code != "unresolved_variable" && err.Code != "unknown_macro" {
				t.Fatalf("code %s", err.Code)
			}
			return
		}
		if strings.Contains(s, "[") { // moment literals ([...]) may write any text
			return
		}
		if _, err2 := m.expand(out, at, "f"); err2 != nil && strings.Contains(out, "$__") && !strings.Contains(s, "$__") {
			t.Fatalf("expansion produced a macro: %q → %q", s, out)
		}
	})
}

// FuzzQueryExpand: any query that parses expands without a panic, and an
// expansion error is one of the two template codes or a bad query (400).
func FuzzQueryExpand(f *testing.F) {
	for _, s := range []string{
		`{"path":"/a/$x","params":{"p":["$__from","${y:csv}"]},"pipeline":{"root":"$r","steps":[{"type":"jq","expr":". as $a | $a"}]}}`,
		`{"graphql":{"query":"query($a: Int) { x(a: $a, t: ${__from}) }","variables":"{\"a\": ${__to}}"}}`,
		`{"data":"a\n$__from\n","pipeline":{"format":"csv","steps":[{"type":"filter","expr":"$env[\"a\"] > 0"}]}}`,
		`{"path":"/x","pagination":{"mode":"list","valueParam":"v","values":["[[a]]","b"]}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := Parse([]byte(raw))
		if err != nil {
			return
		}
		if _, err := q.expand(testMacros); err != nil {
			if e := apierr.From(err); e.Status != 400 {
				t.Fatalf("%s: status %d %v", raw, e.Status, err)
			}
		}
	})
}
