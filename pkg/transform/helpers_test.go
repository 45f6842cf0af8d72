package transform

import (
	"context"
	"encoding/json"
	"testing"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// mustRun compiles pipeline and runs it over body with lim.
func mustRun(t testing.TB, pipeline, body string, lim Limits) *Result {
	t.Helper()
	res, err := run(pipeline, Input{Body: []byte(body)}, lim)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

func run(pipeline string, in Input, lim Limits) (*Result, error) {
	return runCtx(context.Background(), pipeline, in, lim)
}

func runCtx(ctx context.Context, pipeline string, in Input, lim Limits) (*Result, error) {
	p, err := ParsePipeline([]byte(pipeline))
	if err != nil {
		return nil, err
	}
	pr, err := Compile(p)
	if err != nil {
		return nil, err
	}
	return pr.Run(ctx, in, lim)
}
