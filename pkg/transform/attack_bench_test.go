package transform

import (
	"context"
	"fmt"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// The two attack inputs of issue 15, as benchmarks reporting time and the
// peak heap growth of one run (go test -run '^$' -bench Attack ./pkg/transform).
// Before the fix the first did not finish (out of memory past 3.5 GB of heap
// at 100,000 levels) and the second burnt 28 s of CPU.

func BenchmarkAttackModifierRoot(b *testing.B) {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	benchAttack(b, `{"root":"s|@fromstr|@pretty"}`, `{"s":"`+deep+`"}`)
}

func BenchmarkAttackFilterRange(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := 0; i < 20_000; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"i":%d}`, i)
	}
	sb.WriteString("]")
	benchAttack(b, `{"steps":[{"type":"filter","expr":"len(filter(1..400000, # % 7 == 0)) > 0"}]}`, sb.String())
}

func benchAttack(b *testing.B, pipeline, body string) {
	in := Input{Body: []byte(body)}
	attack := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := runCtx(ctx, pipeline, in, Limits{}); err == nil {
			b.Fatal("the attack was not refused")
		}
	}
	peak := peakHeapGrowth(attack)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		attack()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// peakHeapGrowth samples the heap in use while fn runs.
func peakHeapGrowth(fn func()) uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	inuse := func() uint64 { metrics.Read(s); return s[0].Value.Uint64() + s[1].Value.Uint64() }
	base, peak := inuse(), uint64(0)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if v := inuse(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	if peak < base {
		return 0
	}
	return peak - base
}
