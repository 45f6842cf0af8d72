package transform

import (
	"fmt"
	"strings"
	"testing"
)

// MapStrings visits every string of the decoded pipeline with its path and
// the kind its step type declares, and copies what it changes.
func TestMapStringsKindsAndPaths(t *testing.T) {
	p := &Pipeline{}
	err := p.UnmarshalJSON([]byte(`{"root":".items[]","rootSyntax":"jq","columns":[{"name":"a","selector":"x.$s","type":"json","default":{"k":["$d"]}}],
		"steps":[{"type":"filter","expr":"a > $v"},{"type":"jq","expr":". as $r | $r"},{"type":"sort","by":["$f",{"field":"b","desc":true}]},
		{"type":"rename","map":{"a":"$to"}},{"type":"groupBy","by":["a"],"timeBucket":{"field":"t","interval":"$__interval"},"aggregates":[{"op":"count","as":"$n"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	out, err := p.MapStrings(func(path string, kind StringKind, s string) (string, error) {
		seen = append(seen, fmt.Sprintf("%s=%d", path, kind))
		return strings.ReplaceAll(s, "$", "#"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(seen, " ")
	for _, want := range []string{"root=2", "columns[0].selector=0", "columns[0].default.k[0]=0", "steps[0].expr=1", "steps[1].expr=2",
		"steps[2].by[0]=0", "steps[2].by[1]=0", "steps[3].map.a=0", "steps[4].timeBucket.interval=0", "steps[4].aggregates[0].as=0"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("no %s in %s", want, got)
		}
	}
	if out == p || out.Steps[0].(*FilterStep).Expr != "a > #v" || p.Steps[0].(*FilterStep).Expr != "a > $v" {
		t.Errorf("not a copy: %+v %+v", out.Steps[0], p.Steps[0])
	}
	if out.Steps[3].(*RenameStep).Map["a"] != "#to" || p.Steps[3].(*RenameStep).Map["a"] != "$to" ||
		out.Columns[0].Default.(map[string]any)["k"].([]any)[0] != "#d" || p.Columns[0].Default.(map[string]any)["k"].([]any)[0] != "$d" {
		t.Error("maps and defaults are not copied")
	}
	if same, _ := p.MapStrings(func(_ string, _ StringKind, s string) (string, error) { return s, nil }); same != p {
		t.Error("an unchanged pipeline was copied")
	}
	deep := `"x"`
	for range 70 {
		deep = "[" + deep + "]"
	}
	dp := mustPipeline(t, `{"columns":[{"name":"a","type":"json","default":`+deep+`}]}`)
	if _, err := dp.MapStrings(func(_ string, _ StringKind, s string) (string, error) { return s, nil }); err == nil || !strings.Contains(err.Error(), "nested deeper than 64 levels") {
		t.Errorf("deep default: %v", err)
	}
	if _, err := Compile(dp); err != nil {
		t.Errorf("Compile copies a deep default: %v", err)
	}
}

// Compile keeps its own copy: later changes to the caller's pipeline do
// not reach the Program.
func TestCompileCopiesThePipeline(t *testing.T) {
	p := mustPipeline(t, `{"columns":[{"name":"a","type":"number","default":1}],"steps":[{"type":"filter","expr":"a > 0"}]}`)
	prog, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	p.Steps[0].(*FilterStep).Expr = "a > 5"
	p.Columns[0].Name = "b"
	if got := prog.Pipeline(); got.Steps[0].(*FilterStep).Expr != "a > 0" || got.Columns[0].Name != "a" {
		t.Errorf("the program changed with its source: %+v", got)
	}
}
