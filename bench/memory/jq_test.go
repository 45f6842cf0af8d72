package memorybench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// BenchmarkJQWorstCaseMemory is issue 21's jq goal: 32 concurrent worst-case
// jq calls from one Viewer (the review's deep nesting and huge string, a
// billion-element array, jq over a large answer), each kind in its own
// round, keep the plugin — its process and its jq workers together — under
// 512 MiB of RSS. The workers are separate processes, so their RSS is
// sampled (every 20 ms) with the plugin's and the peak of the sum is
// reported beside the plugin's own peak (VmHWM).
//
//	go test ./bench/memory -run '^$' -bench JQWorstCase -benchtime 1x
func BenchmarkJQWorstCaseMemory(b *testing.B) {
	const jqBoundMiB = 512
	s := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: []string{"-log-level", "error"},
		DemoArgs: []string{"-log-level", "warn"}})
	idle := vm(b, s.PluginPID, "VmRSS")
	step := func(program string) map[string]any {
		return map[string]any{"data": []any{map[string]any{"a": 1}},
			"pipeline": map[string]any{"steps": []any{map[string]any{"type": "jq", "expr": program}}}}
	}
	// 60 MiB of JSON from the demo API through a jq root (the review's 1.2 GB).
	large := map[string]any{"source": map[string]any{"path": "/large", "params": map[string]any{"size": strconv.Itoa(60 << 20), "format": "json"}},
		"pipeline": map[string]any{"rootSyntax": "jq", "root": ".[] | {id}"}}
	scenarios := []scenario{
		{"jq-deep-nesting", "POST", res + "/transform", step(`reduce range(3000000) as $i (null; [.]) | {x: .}`)},
		{"jq-huge-string", "POST", res + "/transform", step(`"x" * 1000000000`)},
		{"jq-billion-array", "POST", res + "/transform", step(`[range(1e9)] | {n: length}`)},
		{"jq-60MiB-answer", "POST", res + "/transform", large},
	}
	peakSum := int64(0)
	for b.Loop() {
		for _, sc := range scenarios {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var scPeak int64
			var scAt string
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
						if total, parts := treeRSS(s.PluginPID); total > scPeak {
							scPeak, scAt = total, parts
						}
					}
				}
			}()
			statuses, slowest := fire(b, s, sc)
			close(stop)
			wg.Wait()
			peakSum = max(peakSum, scPeak)
			b.Logf("%-20s statuses %v, slowest %v, plugin + jq workers peak %d MiB (%s)", sc.name, statuses, slowest.Round(time.Millisecond), scPeak/1024, scAt)
		}
	}
	peak := vm(b, s.PluginPID, "VmHWM")
	b.ReportMetric(float64(peakSum)/1024, "peak-with-workers-MiB")
	b.ReportMetric(float64(peak)/1024, "plugin-peak-MiB")
	verdict := "within bound"
	if peakSum/1024 > jqBoundMiB {
		verdict = "ABOVE TARGET"
	}
	fmt.Printf("memory: %d concurrent worst-case jq calls × %d kinds: plugin + jq workers peak RSS %d MiB (plugin alone %d MiB, idle %d MiB, bound %d MiB): %s\n",
		concurrent, len(scenarios), peakSum/1024, peak/1024, idle/1024, jqBoundMiB, verdict)
}

// treeRSS is the RSS in KiB of pid and its children (the jq workers), and
// each process's share in MiB.
func treeRSS(pid int) (int64, string) {
	total := rssOf(pid)
	parts := []string{fmt.Sprintf("plugin %d", total/1024)}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			r := rssOf(child)
			total += r
			parts = append(parts, fmt.Sprintf("worker %d", r/1024))
		}
	}
	return total, strings.Join(parts, ", ") + " MiB"
}

func rssOf(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
