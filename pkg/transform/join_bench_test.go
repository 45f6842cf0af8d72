package transform

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// joinBenchBodies are two JSON tables of n rows with one key each (issue
// 27's figure: a join of 10k × 10k rows): hosts and their metrics, every
// host on both sides, the right side in reverse order.
func joinBenchBodies(n int) (left, right []byte) {
	var l, r strings.Builder
	l.WriteByte('[')
	r.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			l.WriteByte(',')
			r.WriteByte(',')
		}
		fmt.Fprintf(&l, `{"host":"host-%05d","dc":"dc-%d","cpu":%d.5}`, i, i%7, i%100)
		fmt.Fprintf(&r, `{"host":"host-%05d","mem":%d,"region":"r-%d"}`, n-1-i, i*3, i%5)
	}
	l.WriteByte(']')
	r.WriteByte(']')
	return []byte(l.String()), []byte(r.String())
}

// BenchmarkJoin10kx10k times the pipeline with the join and without it over
// the same inputs, and reports what the join adds: its time
// (join-ns/op) and its allocations (join-B/op), and these against the
// inputs' size (heap-ratio: the goal is ≤ 3). Run with
// go test ./pkg/transform -run '^$' -bench Join10k -benchtime 20x
func BenchmarkJoin10kx10k(b *testing.B) {
	const n = 10_000
	leftBody, rightBody := joinBenchBodies(n)
	rightRes, err := run(`{}`, Input{Body: rightBody}, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	queries := map[string]*data.Frame{"B": rightRes.Frames[0]}
	compile := func(js string) *Program {
		p, err := ParsePipeline([]byte(js))
		if err != nil {
			b.Fatal(err)
		}
		pr, err := Compile(p)
		if err != nil {
			b.Fatal(err)
		}
		return pr
	}
	with := compile(`{"steps":[{"type":"join","query":"B","on":["host"]}]}`)
	without := compile(`{}`)
	measure := func(pr *Program) (ns, bytes float64, rows int) {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		start := time.Now()
		for i := 0; i < b.N; i++ {
			res, err := pr.Run(context.Background(), Input{Body: leftBody, Queries: queries}, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			rows = res.Rows
		}
		ns = float64(time.Since(start).Nanoseconds()) / float64(b.N)
		runtime.ReadMemStats(&ms)
		return ns, float64(ms.TotalAlloc-before) / float64(b.N), rows
	}
	b.ResetTimer()
	baseNS, baseBytes, _ := measure(without)
	joinNS, joinBytes, rows := measure(with)
	b.StopTimer()
	if rows != n {
		b.Fatalf("%d rows joined, want %d", rows, n)
	}
	inputs := float64(len(leftBody) + len(rightBody))
	b.ReportMetric(joinNS-baseNS, "join-ns/op")
	b.ReportMetric(joinBytes-baseBytes, "join-B/op")
	b.ReportMetric((joinBytes-baseBytes)/inputs, "heap-ratio")
	b.ReportMetric(joinNS, "pipeline-ns/op")
	b.ReportMetric(inputs, "input-bytes")
	verdict := ""
	if joinNS > 1e9 || (joinBytes-baseBytes)/inputs > 3 {
		verdict = " ABOVE TARGET"
	}
	b.Logf("join of %d × %d rows: %.1f ms (pipeline %.1f ms), %.2f MB allocated = %.2f × the inputs (%.2f MB of JSON); target < 1 s and ≤ 3 ×%s",
		n, n, (joinNS-baseNS)/1e6, joinNS/1e6, (joinBytes-baseBytes)/1e6, (joinBytes-baseBytes)/inputs, inputs/1e6, verdict)
}
