package transform

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
)

// recordingRunner answers every job with a fixed answer and keeps the jobs
// it was given.
type recordingRunner struct {
	mu   sync.Mutex
	jobs []JQJob
	out  []byte
	err  error
}

func (r *recordingRunner) RunJQ(ctx context.Context, job *JQJob) ([]byte, error) {
	r.mu.Lock()
	r.jobs = append(r.jobs, *job)
	r.mu.Unlock()
	return r.out, r.err
}

// TestJQRunnerFromContext: every jq program of Run and InferSchema goes to
// the context's runner, with the job's bounds from the limits; its answer
// is what the rows are read from.
func TestJQRunnerFromContext(t *testing.T) {
	r := &recordingRunner{out: []byte(`[{"v":1},{"v":2}]`)}
	ctx := WithJQRunner(context.Background(), r)
	res, err := runCtx(ctx, `{"steps":[{"type":"jq","expr":"map({v: .i})"}]}`, Input{Body: []byte(rowsJSON(2))}, Limits{MaxRows: 7, MaxInputBytes: 1000})
	if err != nil || res.Rows != 2 {
		t.Fatalf("step: %v %+v", err, res)
	}
	res, err = runCtx(ctx, `{"rootSyntax":"jq","root":".[]"}`, Input{Body: []byte(`[{"a":1}]`)}, Limits{})
	if err != nil || res.Rows != 2 {
		t.Fatalf("root: %v %+v", err, res)
	}
	if _, err := InferSchema(ctx, Input{Body: []byte(`{"a":[{"x":1}]}`)}, &Pipeline{RootSyntax: "jq", Root: ".a[]"}, 10); err != nil {
		t.Fatal(err)
	}
	if len(r.jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(r.jobs))
	}
	step := r.jobs[0]
	if step.Program != "map({v: .i})" || step.Path != "steps[0].expr" || step.MaxRows != 7 || step.MaxOutputBytes != 1000 ||
		string(step.Input) != `[{"i":0,"s":"row 0"},{"i":1,"s":"row 1"}]` {
		t.Errorf("step job %+v input %s", step, step.Input)
	}
	if root := r.jobs[1]; root.Path != "root" || string(root.Input) != `[{"a":1}]` {
		t.Errorf("root job %+v", root)
	}
	if schema := r.jobs[2]; schema.Program != ".a[]" {
		t.Errorf("schema job %+v", schema)
	}
}

// TestJQRunnerAnswersChecked: a runner's answer is checked before it is
// read (size, syntax, nesting), and its errors map to the engine's codes.
func TestJQRunnerAnswersChecked(t *testing.T) {
	deep := `[{"x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}]`
	for _, c := range []struct {
		name string
		out  string
		err  error
		code string
	}{
		{"stopped by the sandbox", "", &JQLimitError{Reason: "it used more than the worker's 8 MiB of memory"}, CodeJQResourceLimit},
		{"deadline", "", context.DeadlineExceeded, CodeTimeout},
		{"the program's own error", "", &Error{Code: CodeTooManyRows, Message: "too many rows"}, CodeTooManyRows},
		{"unknown failure", "", errors.New("pipe broke"), CodeInternal},
		{"too large", `[{"x":"` + strings.Repeat("a", 5000) + `"}]`, nil, CodeOutputTooLarge},
		{"not JSON", `[{"x":`, nil, CodeInternal},
		{"too deep", deep, nil, CodeInternal},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := WithJQRunner(context.Background(), &recordingRunner{out: []byte(c.out), err: c.err})
			_, err := runCtx(ctx, `{"steps":[{"type":"jq","expr":"."}]}`, Input{Body: []byte(rowsJSON(1))}, Limits{MaxInputBytes: 4000})
			te := wantCode(t, err, c.code)
			if c.code == CodeJQResourceLimit && (te.Path != "steps[0].expr" || !strings.Contains(te.Message, "8 MiB of memory") || te.HTTPStatus() != 422) {
				t.Errorf("got %q %q %d", te.Path, te.Message, te.HTTPStatus())
			}
			if c.code == CodeTimeout && te.Path != "steps[0].expr" {
				t.Errorf("path %q", te.Path)
			}
		})
	}
}

// TestJQYieldedDepth: a row nested deeper than the engine reads is refused
// as it is yielded, before gojq's encoder recurses on it — in process too.
func TestJQYieldedDepth(t *testing.T) {
	for _, expr := range []string{
		`reduce range(100000) as $i (null; [.]) | {x: .}`,
		`reduce range(100000) as $i (null; {a: .})`,
		`[reduce range(600) as $i (0; [.]) | {x: .}]`,
	} {
		p, _ := json.Marshal(map[string]any{"steps": []any{map[string]string{"type": "jq", "expr": expr}}})
		_, err := run(string(p), Input{Body: []byte(rowsJSON(1))}, Limits{})
		if te := wantCode(t, err, CodeExprTooCostly); !strings.Contains(te.Message, "nested more than 511 levels") {
			t.Errorf("%s: %q", expr, te.Message)
		}
	}
	// 511 levels is the most a row may have, and reads.
	res := mustRun(t, `{"rootSyntax":"jq","root":"reduce range(510) as $i (0; [.]) | {x: .}"}`, `{}`, Limits{})
	if res.Rows != 1 {
		t.Fatalf("rows %d", res.Rows)
	}
}

// TestJQInputValues: the jq step sees every column type as JSON: exact
// integers, times as RFC 3339 text, JSON cells as they were.
func TestJQInputValues(t *testing.T) {
	body := `[{"u":"18446744073709551615","t":"2024-05-01T10:00:00.5Z","j":{"k":[1,2.50]},"f":1e-7,"s":"a\"b\u0001"}]`
	res := mustRun(t, `{"columns":[{"name":"u","type":"uint64"},{"name":"t","type":"time"},{"name":"j","type":"json"},{"name":"f","type":"number"},{"name":"s"}],
		"steps":[{"type":"jq","expr":"map({u: (.u|tostring), t, j: (.j|tojson), f: (.f|tostring), s})"}]}`, body, Limits{})
	want := `[{"f":"1e-7","j":"{\"k\":[1,2.50]}","s":"a\"b\u0001","t":"2024-05-01T10:00:00.5Z","u":"18446744073709551615"}]`
	if got := frameRows(t, res); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
