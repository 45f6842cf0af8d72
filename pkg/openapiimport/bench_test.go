package openapiimport

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// BenchmarkImport10MB imports a generated 10 MB document (issue 27's
// figure: under 2 s, peak heap under 5 × the document). It reports the heap
// the import adds at its peak (sampled while it runs) as a ratio to the
// document's size.
func BenchmarkImport10MB(b *testing.B) {
	doc := generateDocument(10 << 20)
	b.SetBytes(int64(len(doc)))
	var worst float64
	for b.Loop() {
		runtime.GC()
		base := heapLive()
		stop, peak := samplePeak()
		p, err := Import(doc, Options{})
		stop()
		if err != nil || len(p.Rules) == 0 {
			b.Fatalf("import: %v", err)
		}
		runtime.KeepAlive(p)
		worst = max(worst, float64(*peak-base)/float64(len(doc)))
	}
	b.ReportMetric(float64(len(doc))/(1<<20), "doc-MiB")
	b.ReportMetric(worst, "peak-heap/doc")
}

func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeak records the largest live heap seen every millisecond until stop.
func samplePeak() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			*peak = max(*peak, heapLive())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished; *peak = max(*peak, heapLive()) }, peak
}
