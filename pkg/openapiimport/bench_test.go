package openapiimport

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// BenchmarkImport10MB imports a generated 10 MB document (issue 27's
// figure: under 2 s, peak heap under 5 × the document). peak-heap/doc is
// the heap the import adds at its peak, sampled every millisecond while it
// runs: live objects and the garbage not yet swept, what the process holds
// (the GC lets the heap grow to about twice what was live at its last
// cycle). The baseline is taken after a GC, with the document already in
// it (a caller holds the document); the proposal is counted, held until
// the last sample. live/doc is what was live at the import's GC cycles or,
// after a GC at its end, with the proposal held: the larger; proposal/doc
// the proposal alone.
func BenchmarkImport10MB(b *testing.B) {
	doc := generateDocument(10 << 20)
	b.SetBytes(int64(len(doc)))
	var worst, worstLive, proposal float64
	ratio := func(n, base uint64) float64 { return float64(n-min(n, base)) / float64(len(doc)) }
	for b.Loop() {
		runtime.GC()
		base, baseLive := heapObjects(), heapMarked()
		stop, peak, peakLive := samplePeak()
		p, err := Import(doc, Options{})
		stop()
		if err != nil || len(p.Rules) == 0 {
			b.Fatalf("import: %v", err)
		}
		b.StopTimer()
		runtime.GC()
		held := heapMarked()
		runtime.KeepAlive(p)
		p = nil
		runtime.GC()
		b.StartTimer()
		worst = max(worst, ratio(*peak, base))
		worstLive = max(worstLive, ratio(max(*peakLive, held), baseLive))
		proposal = max(proposal, ratio(held, heapMarked()))
	}
	b.ReportMetric(float64(len(doc))/(1<<20), "doc-MiB")
	b.ReportMetric(worst, "peak-heap/doc")
	b.ReportMetric(worstLive, "live/doc")
	b.ReportMetric(proposal, "proposal/doc")
}

// heapObjects is the heap's objects, live or not yet swept.
func heapObjects() uint64 { return readMetric("/memory/classes/heap/objects:bytes") }

// heapMarked is the heap found live by the last GC cycle.
func heapMarked() uint64 { return readMetric("/gc/heap/live:bytes") }

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeak records the largest heap and marked live heap seen every
// millisecond until stop.
func samplePeak() (stop func(), peak, peakLive *uint64) {
	peak, peakLive = new(uint64), new(uint64)
	sample := func() { *peak, *peakLive = max(*peak, heapObjects()), max(*peakLive, heapMarked()) }
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished; sample() }, peak, peakLive
}
