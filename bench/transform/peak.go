package transformbench

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"time"
)

// PeakHeap runs fn once and returns how far the heap in use (HeapInuse:
// objects, live or not yet swept, plus free space in in-use spans) rose above
// its level just before fn, sampled every 100µs with runtime/metrics (which,
// unlike ReadMemStats, does not stop the world). It also returns the growth
// that is still live after fn and a GC — the size of what fn returned.
//
// Garbage counts towards the peak until the GC frees it, so this is what the
// process actually needs, not just the live data.
func PeakHeap(fn func() any) (peak, retained uint64) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	inuse := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	runtime.GC()
	runtime.GC()
	base := inuse()
	var max uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if v := inuse(); v > max {
				max = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	out := fn()
	if v := inuse(); v > max {
		max = v
	}
	close(done)
	wg.Wait()
	runtime.GC()
	after := inuse()
	runtime.KeepAlive(out)
	if max > base {
		peak = max - base
	}
	if after > base {
		retained = after - base
	}
	return peak, retained
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
