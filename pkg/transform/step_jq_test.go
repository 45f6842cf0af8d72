package transform

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// frameRows is the frame as rows of field → value, for comparisons.
func frameRows(t *testing.T, res *Result) string {
	t.Helper()
	f := res.Frames[0]
	var rows []map[string]any
	for i := 0; i < res.Rows; i++ {
		row := map[string]any{}
		for _, fl := range f.Fields {
			v, _ := fl.ConcreteAt(i)
			if raw, ok := v.(json.RawMessage); ok {
				v = string(raw)
			}
			row[fl.Name] = v
		}
		rows = append(rows, row)
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// TestJQ: examples in the spirit of the jq manual over a small table.
func TestJQ(t *testing.T) {
	body := `[{"user":"ann","price":12,"qty":2,"tags":["a","b"],"host":"h1"},
		{"user":"bob","price":5,"qty":1,"tags":["c"],"host":"h2"},
		{"user":"cy","price":30,"qty":3,"tags":[],"host":"h1"}]`
	for _, c := range []struct{ expr, want string }{
		{`.[] | select(.price > 10) | {user}`, `[{"user":"ann"},{"user":"cy"}]`},
		{`map({user, total: (.price * .qty)})`, `[{"total":24,"user":"ann"},{"total":5,"user":"bob"},{"total":90,"user":"cy"}]`},
		{`.[] | {user, tag: .tags[]}`, `[{"tag":"a","user":"ann"},{"tag":"b","user":"ann"},{"tag":"c","user":"bob"}]`},
		{`group_by(.host) | map({host: .[0].host, n: length})`, `[{"host":"h1","n":2},{"host":"h2","n":1}]`},
		{`sort_by(.price) | reverse | .[0:1] | map({user})`, `[{"user":"cy"}]`},
		{`[limit(2; .[])] | map({u: .user | ascii_upcase})`, `[{"u":"ANN"},{"u":"BOB"}]`},
		{`{count: length, sum: (map(.price) | add)}`, `[{"count":3,"sum":47}]`},
		{`empty`, `null`},
	} {
		t.Run(c.expr, func(t *testing.T) {
			p, _ := json.Marshal(map[string]any{"steps": []any{map[string]string{"type": "jq", "expr": c.expr}}})
			res := mustRun(t, string(p), body, Limits{})
			if got := frameRows(t, res); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestJQThenSteps: the steps after jq are planned against what it yields.
func TestJQThenSteps(t *testing.T) {
	res := mustRun(t, `{"steps":[{"type":"jq","expr":"map({n: .i, t: \"2024-05-01T10:00:00Z\"})"},
		{"type":"filter","expr":"n >= 1"},{"type":"sort","by":[{"field":"n","desc":true}]}],"shape":"timeseries-long"}`,
		rowsJSON(3), Limits{})
	if got := frameRows(t, res); !strings.HasPrefix(got, `[{"n":2,"t":"2024-05-01T10:00:00Z"}`) || res.Rows != 2 {
		t.Errorf("got %s", got)
	}
	_, err := run(`{"steps":[{"type":"jq","expr":"map({n: .i})"},{"type":"filter","expr":"m > 1"}]}`, Input{Body: []byte(rowsJSON(2))}, Limits{})
	if te := wantCode(t, err, CodeInvalidPipeline); te.Path != "steps[1].expr" {
		t.Errorf("path %q", te.Path)
	}
}

func TestJQErrors(t *testing.T) {
	for _, c := range []struct{ expr, code, msg string }{
		{`.[] | .i`, CodeInvalidPipeline, "jq yielded a number where a row (an object) is expected"},
		{`.[0].s`, CodeInvalidPipeline, "jq yielded a string where a row"},
		{`map(.i)`, CodeInvalidPipeline, "jq yielded a number where a row"},
		{`input`, CodeInvalidPipeline, "input is not supported"},
		{`[inputs]`, CodeInvalidPipeline, "inputs is not supported"},
		{`$ENV.HOME`, CodeInvalidPipeline, "$ENV is not supported"},
		{`env | {a: .}`, CodeInvalidPipeline, "env is not supported"},
		{`input_filename`, CodeInvalidPipeline, "input_filename is not supported"},
		{`.[] | debug`, CodeInvalidPipeline, "debug is not supported"},
		{`import "a" as a; .`, CodeInvalidPipeline, "modules"},
		{`.[] |`, CodeInvalidPipeline, "jq: "},
		{`error("boom")`, CodeInvalidPipeline, "jq: error: boom"},
		{`[repeat({a: 1})]`, CodeExprTooCostly, "memory"},
	} {
		t.Run(c.expr, func(t *testing.T) {
			p, _ := json.Marshal(map[string]any{"steps": []any{map[string]string{"type": "jq", "expr": c.expr}}})
			_, err := run(string(p), Input{Body: []byte(rowsJSON(3))}, Limits{MaxInputBytes: 1 << 20})
			te := wantCode(t, err, c.code)
			if te.Path != "steps[0].expr" || !strings.Contains(te.Message, c.msg) {
				t.Errorf("got %q: %q", te.Path, te.Message)
			}
		})
	}
	// Rows beyond MaxRows stop an endless stream of objects.
	_, err := run(`{"steps":[{"type":"jq","expr":"repeat({a: 1})"}]}`, Input{Body: []byte(rowsJSON(1))}, Limits{MaxRows: 100})
	wantCode(t, err, CodeTooManyRows)
}

// TestJQDeadline: a program that never yields stops at the deadline (the
// test bounds how long that may take; it does not time it).
func TestJQDeadline(t *testing.T) {
	for _, expr := range []string{`last(range(1e12)) | {a: .}`, `last(repeat(1)) | {a: .}`} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		p, _ := json.Marshal(map[string]any{"steps": []any{map[string]string{"type": "jq", "expr": expr}}})
		_, err := runCtx(ctx, string(p), Input{Body: []byte(rowsJSON(1))}, Limits{})
		cancel()
		if te := wantCode(t, err, CodeTimeout); te.Path != "steps[0].expr" {
			t.Errorf("%s: path %q", expr, te.Path)
		}
	}
}
