package transformbench

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/transform"
)

var (
	dataOnce sync.Once
	body     []byte
)

func input(b *testing.B) []byte {
	dataOnce.Do(func() { body = Generate(Rows) })
	return body
}

func compile(b *testing.B, pipeline string) *transform.Program {
	p, err := transform.ParsePipeline([]byte(pipeline))
	if err != nil {
		b.Fatal(err)
	}
	pr, err := transform.Compile(p)
	if err != nil {
		b.Fatal(err)
	}
	return pr
}

// run times fn over the data set and reports MB/s (SetBytes), rows/s,
// allocs/op (-benchmem) and, from one extra untimed run, the peak heap growth
// and the retained result size as multiples of the input size.
func run(b *testing.B, fn func(body []byte) any) {
	runOn(b, input(b), Rows, fn)
}

// runOn is run over another body of rows rows (XML, HTML).
func runOn(b *testing.B, in []byte, rows int, fn func(body []byte) any) {
	if fn(in) == nil {
		b.Fatal("no result")
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	runtime.GC() // start each benchmark from a collected heap, whatever ran before
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		if fn(in) == nil {
			b.Fatal("no result")
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	b.StopTimer()
	b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
	// CPU time of the whole process (including the GC's background workers)
	// per byte: steadier than wall time when other processes share the cores.
	b.ReportMetric(float64(len(in))*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	peak, retained := PeakHeap(func() any { return fn(in) })
	b.ReportMetric(float64(peak)/float64(len(in)), "peak-heap-x")
	b.ReportMetric(float64(retained)/float64(len(in)), "result-x")
}

func engine(b *testing.B, pr *transform.Program) func([]byte) any {
	return func(body []byte) any {
		res, err := pr.Run(context.Background(), transform.Input{Body: body}, transform.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != Rows {
			b.Fatalf("rows = %d", res.Rows)
		}
		return res
	}
}

// BenchmarkEngineExplicit: the pipeline lists the 10 columns with types.
func BenchmarkEngineExplicit(b *testing.B) {
	run(b, engine(b, compile(b, `{"columns":`+Columns+`}`)))
}

// BenchmarkEngineInfer: no columns; names and types are inferred.
func BenchmarkEngineInfer(b *testing.B) {
	run(b, engine(b, compile(b, `{}`)))
}

// BenchmarkNaive: encoding/json into []map[string]any, then the same nullable slices.
func BenchmarkNaive(b *testing.B) {
	cols := NaiveColumns()
	run(b, func(body []byte) any {
		f, err := Naive(body, cols)
		if err != nil {
			b.Fatal(err)
		}
		return f
	})
}

// BenchmarkGJSONForEach: gjson parse only — iterate the rows and every
// member, touching each value; no conversion, no output. The floor for any
// gjson-based reader.
func BenchmarkGJSONForEach(b *testing.B) {
	run(b, func(body []byte) any {
		n := touchMembers(body)
		return &n
	})
}

// touchMembers iterates the rows and every member with gjson, touching each
// key and value, and returns the bytes it saw.
func touchMembers(body []byte) int {
	n := 0
	gjson.Parse(unsafe.String(unsafe.SliceData(body), len(body))).ForEach(func(_, row gjson.Result) bool {
		row.ForEach(func(k, v gjson.Result) bool {
			n += len(k.Str) + len(v.Raw)
			return true
		})
		return true
	})
	return n
}

// BenchmarkGJSONValidForEach: gjson.ValidBytes, then the same iteration as
// GJSONForEach. The floor for a gjson-based reader that rejects invalid
// input instead of returning whatever gjson makes of it, as the engine does.
func BenchmarkGJSONValidForEach(b *testing.B) {
	run(b, func(body []byte) any {
		if !gjson.ValidBytes(body) {
			b.Fatal("invalid")
		}
		n := touchMembers(body)
		return &n
	})
}

// BenchmarkGJSONValid: gjson.ValidBytes, a validating scan.
func BenchmarkGJSONValid(b *testing.B) {
	run(b, func(body []byte) any {
		ok := gjson.ValidBytes(body)
		return &ok
	})
}

// BenchmarkStdJSONValid: encoding/json's validating scan, for scale.
func BenchmarkStdJSONValid(b *testing.B) {
	run(b, func(body []byte) any {
		ok := json.Valid(body)
		return &ok
	})
}
