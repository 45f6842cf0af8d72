package jqworker

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/transform"
)

// FuzzJQSandbox runs random jq programs as the root and a step of a
// pipeline, through the engine with the sandbox as its runner, and checks
// that this process survives every one (it would not, in process, for the
// seeds that kill), that each answer is rows or a clean engine error within
// the deadline, and that the pool keeps serving. go test runs the seeds,
// the review's killers among them:
//
//	go test ./pkg/jqworker -run '^$' -fuzz FuzzJQSandbox -fuzztime 60s
func FuzzJQSandbox(f *testing.F) {
	for _, k := range killers {
		f.Add(k.program, ".", `{}`)
		f.Add(".[]", k.program, `[{"a":1}]`)
	}
	for _, s := range []struct{ root, step, doc string }{
		{`reduce range(3000000) as $i (null; [.]) | {x: .}`, `.`, `{}`},
		{`.`, `[range(1e9)] | {n: length}`, `[{"a":1}]`},
		{`.`, `def f: f; f`, `[{"a":1}]`},
		{`[recurse(if . < 1e7 then [.] else empty end)] | {x: .}`, `.`, `0`},
		{`.a[] | {v: .}`, `map(. + {w: (.v * 2)})`, `{"a":[1,2,3]}`},
		{`.`, `map({s: (tostring * 100000)})`, `[{"a":"xyz"}]`},
		{`.items[]`, `group_by(.k) | map({k: .[0].k, n: length})`, `{"items":[{"k":1},{"k":2},{"k":1}]}`},
		{`{x: ("a" * 100000000)}`, `.`, `{}`},
	} {
		f.Add(s.root, s.step, s.doc)
	}
	p := newPool(f, Config{Workers: 2, MemoryBytes: 32 << 20})
	calls := 0
	f.Fuzz(func(t *testing.T, root, step, doc string) {
		pipeline, _ := json.Marshal(map[string]any{"rootSyntax": "jq", "root": root,
			"steps": []any{map[string]string{"type": "jq", "expr": step}}})
		pl, err := transform.ParsePipeline(pipeline)
		if err != nil {
			return // not a program: refused before anything runs
		}
		prog, err := transform.Compile(pl)
		if err != nil {
			return
		}
		const deadline = 2 * time.Second
		ctx, cancel := context.WithTimeout(transform.WithJQRunner(context.Background(), p), deadline)
		defer cancel()
		t0 := time.Now()
		_, err = prog.Run(ctx, transform.Input{Body: []byte(doc)}, transform.Limits{MaxInputBytes: 1 << 20, MaxRows: 10000})
		if took := time.Since(t0); took > deadline+10*time.Second {
			t.Fatalf("answered after %v, past its deadline", took)
		}
		if err != nil {
			var te *transform.Error
			if !errors.As(err, &te) || te.Code == "" || strings.Contains(te.Message, "goroutine") {
				t.Fatalf("not a clean error: %T %v", err, err)
			}
			if te.Code == transform.CodeInternal {
				t.Fatalf("internal error: %v (%v)", te, errors.Unwrap(te))
			}
		}
		if calls++; calls%8 == 0 || err != nil && transform.AsError(err).Code == transform.CodeJQResourceLimit {
			out, err := runWithin(p, 30*time.Second, job(`{ok: true}`, `null`))
			if err != nil || string(out) != `[{"ok":true}]` {
				t.Fatalf("the pool stopped serving: %s %v", out, err)
			}
		}
	})
}
