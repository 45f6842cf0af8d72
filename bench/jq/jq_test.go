// Package jqbench measures what the jq sandbox costs (issue 21): the plugin
// binary re-executed as a jq worker, against running the program in process.
//
//		go test ./bench/jq -run '^$' -bench . -benchtime 1x
//
//	  - BenchmarkWorkerStart: exec of the real plugin binary to its hello
//	    (what a call pays when no warm worker is idle: after a death, or the
//	    first call), median of 20 starts.
//	  - BenchmarkCallOverhead: a trivial program ({} over null) through a warm
//	    worker and in process, in alternating rounds: the per-call cost of two
//	    pipe round trips and the worker's framing.
//	  - BenchmarkStepTypicalAnswer: a jq step (map({id, host, cpu, ok})) over a
//	    typical answer (1,000 rows × 8 fields, 140 KB) through the engine, with
//	    the sandbox as its runner and in process, alternating; prints the ratio.
//	    The sandbox is what production runs; the ratio is its price.
package jqbench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/jqworker"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const provisioning = `apiVersion: 1
datasources:
  - name: bench
    type: relay-gateway-datasource
    uid: bench
    url: http://127.0.0.1:1
`

// pluginBinary builds the plugin (as the harness does) and returns its path.
func pluginBinary(b *testing.B) string {
	s := harness.Start(b, harness.Options{Provisioning: provisioning, SkipDemo: true, DevHostArgs: []string{"-log-level", "error"}})
	return s.PluginPath
}

func pool(b *testing.B, bin string) *jqworker.Pool {
	p, err := jqworker.NewPool(jqworker.Config{Command: []string{bin}, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func BenchmarkWorkerStart(b *testing.B) {
	bin := pluginBinary(b)
	for b.Loop() {
		var starts []time.Duration
		for range 20 {
			p := pool(b, bin)
			t0 := time.Now()
			if _, err := p.RunJQ(ctxFor(b), &transform.JQJob{Program: "{}", Path: "root", Input: []byte("null"), MaxRows: 1, MaxOutputBytes: 1 << 10}); err != nil {
				b.Fatal(err)
			}
			_ = time.Since(t0)
			starts = append(starts, p.Stats().MeanStart)
			p.Close()
		}
		m := median(starts)
		b.ReportMetric(float64(m.Microseconds())/1000, "start-ms")
		fmt.Printf("jq worker start (exec of the plugin binary to its hello): median %v of %d\n", m.Round(10*time.Microsecond), len(starts))
	}
}

func ctxFor(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	b.Cleanup(cancel)
	return ctx
}

func BenchmarkCallOverhead(b *testing.B) {
	p := pool(b, pluginBinary(b))
	job := &transform.JQJob{Program: "{}", Path: "root", Input: []byte("null"), MaxRows: 1, MaxOutputBytes: 1 << 10}
	ctx := ctxFor(b)
	if _, err := p.RunJQ(ctx, job); err != nil { // warm
		b.Fatal(err)
	}
	const n = 2000
	for b.Loop() {
		var sandbox, local []time.Duration
		for range 5 {
			t0 := time.Now()
			for range n {
				if _, err := p.RunJQ(ctx, job); err != nil {
					b.Fatal(err)
				}
			}
			sandbox = append(sandbox, time.Since(t0)/n)
			t0 = time.Now()
			for range n {
				if _, err := transform.InProcessJQ().RunJQ(ctx, job); err != nil {
					b.Fatal(err)
				}
			}
			local = append(local, time.Since(t0)/n)
		}
		s, l := median(sandbox), median(local)
		b.ReportMetric(float64(s.Nanoseconds())/1000, "sandbox-µs/call")
		b.ReportMetric(float64(l.Nanoseconds())/1000, "inprocess-µs/call")
		fmt.Printf("jq per-call: sandbox %v, in process %v: overhead %v per call\n", s, l, s-l)
	}
}

func typicalAnswer() []byte {
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 1000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id":%d,"host":"web-%02d","cpu":%d.25,"mem":%d,"ok":%t,"region":"eu-west-%d","time":"2024-05-01T10:%02d:00Z","tags":["a","b"]}`,
			i, i%40, i%100, i*1024, i%3 != 0, i%3, i%60)
	}
	sb.WriteString("]")
	return []byte(sb.String())
}

func BenchmarkStepTypicalAnswer(b *testing.B) {
	p := pool(b, pluginBinary(b))
	pl, err := transform.ParsePipeline([]byte(`{"steps":[{"type":"jq","expr":"map({id, host, cpu, ok})"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	prog, err := transform.Compile(pl)
	if err != nil {
		b.Fatal(err)
	}
	in := transform.Input{Body: typicalAnswer()}
	run := func(ctx context.Context) {
		res, err := prog.Run(ctx, in, transform.Limits{})
		if err != nil || res.Rows != 1000 {
			b.Fatalf("%v %+v", err, res)
		}
	}
	sandboxCtx := transform.WithJQRunner(ctxFor(b), p)
	localCtx := ctxFor(b)
	run(sandboxCtx) // warm
	const n = 50
	for b.Loop() {
		var sandbox, local []time.Duration
		for range 5 {
			t0 := time.Now()
			for range n {
				run(sandboxCtx)
			}
			sandbox = append(sandbox, time.Since(t0)/n)
			t0 = time.Now()
			for range n {
				run(localCtx)
			}
			local = append(local, time.Since(t0)/n)
		}
		s, l := median(sandbox), median(local)
		b.ReportMetric(float64(s.Microseconds())/1000, "sandbox-ms/op")
		b.ReportMetric(float64(l.Microseconds())/1000, "inprocess-ms/op")
		b.ReportMetric(float64(s)/float64(l), "ratio")
		fmt.Printf("jq step over 1,000 rows (%d KB): sandbox %v, in process %v: ratio %.2f×\n", len(in.Body)>>10, s, l, float64(s)/float64(l))
	}
}
