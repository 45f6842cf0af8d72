package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestModifierAttack is issue 15, finding 1: a Viewer's root
// "s|@fromstr|@pretty" over a 100,000-deep array written as a string took
// gigabytes. It is now refused before any data is read, on every route.
func TestModifierAttack(t *testing.T) {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	body := []byte(`{"s":"` + deep + `"}`)
	check := func(t *testing.T, err error) {
		t.Helper()
		te := wantCode(t, err, CodeInvalidPipeline)
		if te.Path != "root" || !strings.Contains(te.Message, "@fromstr") || !strings.Contains(te.Message, "not supported") {
			t.Errorf("got %q: %q", te.Path, te.Message)
		}
		if te.HTTPStatus() != 400 {
			t.Errorf("status %d", te.HTTPStatus())
		}
	}
	t.Run("ParsePipeline", func(t *testing.T) {
		_, err := ParsePipeline([]byte(`{"root":"s|@fromstr|@pretty"}`))
		check(t, err)
	})
	t.Run("Compile", func(t *testing.T) {
		_, err := Compile(&Pipeline{Root: "s|@fromstr|@pretty"})
		check(t, err)
	})
	t.Run("InferSchema", func(t *testing.T) {
		_, err := InferSchema(t.Context(), Input{Body: body}, &Pipeline{Root: "s|@fromstr|@pretty"}, 10)
		check(t, err)
	})
	t.Run("NDJSON", func(t *testing.T) {
		_, err := Compile(&Pipeline{Format: FormatNDJSON, Root: "s|@fromstr|@pretty"})
		check(t, err)
	})
	t.Run("query model", func(t *testing.T) {
		// A query's pipeline is decoded by encoding/json; pagination reads its
		// root before the pipeline is compiled.
		var q struct{ Pipeline *Pipeline }
		err := json.Unmarshal([]byte(`{"pipeline":{"root":"s|@fromstr|@pretty"}}`), &q)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Path != "root" || !strings.Contains(ve.Message, "@fromstr") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestPathChecks: every modifier that can make more than its input, anywhere
// in any evaluated path, is refused with the field's path; bounded paths,
// and keys that merely start with '@', are accepted.
func TestPathChecks(t *testing.T) {
	for _, c := range []struct{ pipeline, path, msg string }{
		{`{"root":"@pretty"}`, "root", "@pretty is not supported"},
		{`{"root":"items|@tostr"}`, "root", "@tostr is not supported"},
		{`{"root":"items.@group"}`, "root", "@group is not supported"},
		{`{"root":"[a,@dig:x]"}`, "root", "@dig is not supported"},
		{`{"root":"items.#(@fromstr==1)#"}`, "root", "@fromstr is not supported"},
		{`{"root":"items|@flatten:{\"deep\":true}"}`, "root", "@flatten does not take arguments"},
		{`{"columns":[{"name":"a"},{"name":"b","selector":"x|@pretty"}]}`, "columns[1].selector", "@pretty is not supported"},
		{`{"columns":[{"name":"@pretty"}]}`, "columns[0].name", "@pretty is not supported"},
		{`{"format":"ndjson","columns":[{"name":"a","selector":"{x:@fromstr}"}]}`, "columns[0].selector", "@fromstr is not supported"},
		{`{"root":"[` + strings.Repeat("a,", 64) + `a]"}`, "root", "repeat the data more than 64 times"},
		{`{"root":"[a,a,a,a]|[@this,@this,@this,@this]|[0,0,0,0,0]"}`, "root", "repeat the data more than 64 times"},
	} {
		_, err := ParsePipeline([]byte(c.pipeline))
		te := wantCode(t, err, CodeInvalidPipeline)
		if te.Path != c.path || !strings.Contains(te.Message, c.msg) {
			t.Errorf("%s: got %q: %q, want %q: …%s…", c.pipeline, te.Path, te.Message, c.path, c.msg)
		}
	}
	for _, p := range []string{
		`{"root":"data.items"}`, `{"root":"series.#.points|@flatten"}`, `{"root":"x|@reverse|@this"}`,
		`{"root":"items.#(name==\"@pretty\")#"}`, `{"root":"a\\.@pretty"}`, `{"root":"{id,name,tags}"}`,
		`{"columns":[{"name":"@timestamp"},{"name":"v","selector":"values.0"},{"name":"r","selector":"@this"}]}`,
		`{"format":"csv","columns":[{"name":"@pretty"}]}`, // a CSV header, not a path
	} {
		if _, err := ParsePipeline([]byte(p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestCheckPath(t *testing.T) {
	if err := CheckPath("meta.next_cursor"); err != nil {
		t.Errorf("plain path: %v", err)
	}
	err := CheckPath("links|@pretty")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Path != "" || !strings.Contains(ve.Message, "@pretty is not supported") {
		t.Errorf("got %v", err)
	}
}

// TestPathFanout: a root or selector whose multipaths repeat the data is
// held against the input limit before gjson makes the copies.
func TestPathFanout(t *testing.T) {
	body := `{"items":` + rowsJSON(100) + `}`
	lim := Limits{MaxInputBytes: int64(len(body)) * 3}
	if res := mustRun(t, `{"root":"[items,items,items]|@flatten"}`, body, lim); res.Rows != 300 {
		t.Errorf("rows %d", res.Rows)
	}
	_, err := run(`{"root":"[items,items,items,items]|@flatten"}`, Input{Body: []byte(body)}, lim)
	if te := wantCode(t, err, CodeOutputTooLarge); te.Path != "root" {
		t.Errorf("path %q", te.Path)
	}
	row := `[{"big":"` + strings.Repeat("x", 1000) + `"}]`
	_, err = run(`{"columns":[{"name":"b","selector":"[big,big,big,big,big,big]","type":"json"}]}`, Input{Body: []byte(row)}, Limits{MaxInputBytes: 5000})
	wantCode(t, err, CodeOutputTooLarge)
}

// TestColumnTextBudget: columns repeating a large value (here 200 columns
// selecting the same 10 KB string) cannot hold more text than four times
// the input limit.
func TestColumnTextBudget(t *testing.T) {
	body := `[{"big":"` + strings.Repeat("x", 10_000) + `"}]`
	cols := make([]string, 200)
	for i := range cols {
		cols[i] = fmt.Sprintf(`{"name":"c%d","selector":"big","type":"string"}`, i)
	}
	p := `{"columns":[` + strings.Join(cols, ",") + `]}`
	_, err := run(p, Input{Body: []byte(body)}, Limits{MaxInputBytes: 100_000})
	te := wantCode(t, err, CodeOutputTooLarge)
	if !strings.Contains(te.Message, "400000 bytes of text") {
		t.Errorf("message %q", te.Message)
	}
	if res := mustRun(t, `{"columns":[`+strings.Join(cols[:30], ",")+`]}`, body, Limits{MaxInputBytes: 100_000}); res.Rows != 1 {
		t.Errorf("rows %d", res.Rows)
	}
	csv := "big\n" + strings.Repeat("x", 10_000) + "\n"
	_, err = run(strings.Replace(p, "{", `{"format":"csv",`, 1), Input{Body: []byte(csv)}, Limits{MaxInputBytes: 100_000})
	wantCode(t, err, CodeOutputTooLarge)
}

// TestDepthEveryRoute: the depth limit holds for CSV cells read as JSON.
func TestDepthEveryRoute(t *testing.T) {
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	res := mustRun(t, `{"format":"csv","columns":[{"name":"j","type":"json"}]}`, "j\n"+deep+"\n[1]\n", Limits{})
	if v := res.Frames[0].Fields[0].At(0).(*json.RawMessage); v != nil {
		t.Errorf("deep cell read as %s", *v)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "not valid json") {
		t.Errorf("notices %v", res.Notices)
	}
}
