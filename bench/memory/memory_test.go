// Package memorybench is the load test of issue 15's finding 5: 32
// concurrent worst-case calls per route against one Relay, as a Viewer, and
// the plugin's peak RSS (VmHWM) next to its idle RSS in the same run. Every
// call is bounded in time; the summary line says whether the peak stayed
// under the bound the defaults promise (docs/security.md).
//
//	go test ./bench/memory -run '^$' -bench . -benchtime 1x
//	MEMORY_SCENARIOS='schema|csv' go test ./bench/memory -run '^$' -bench . -benchtime 1x
package memorybench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// provisioning: the demo API, and the hostile upstream of issue 21
// (harness.Hostile: small answers that parse into large trees or take
// quadratic time) with a 16 MiB maxInputBytes (its deep XML is 10 MB).
const provisioning = `apiVersion: 1
datasources:
  - name: bench
    type: relay-gateway-datasource
    uid: bench
    url: $DEMO_URL
    jsonData:
      network: { allowPrivateNetworks: true }
      proxy: { rules: [ { path: "/large", methods: [GET], minRole: Viewer, timeout: 120s },
                        { path: "/slow-body", methods: [GET], minRole: Viewer } ] }
      rateLimits: { disabled: true }
  - name: hostile
    type: relay-gateway-datasource
    uid: hostile
    url: $HOSTILE_URL
    jsonData:
      network: { allowPrivateNetworks: true }
      proxy: { rules: [ { path: "/", methods: [GET], minRole: Viewer } ] }
      transform: { maxInputBytes: 16777216 }
      rateLimits: { disabled: true }
`

const (
	res        = "/api/datasources/uid/bench/resources"
	concurrent = 32
	// boundMiB is issue 21's goal: 32 concurrent worst cases from one
	// Viewer on each route keep the plugin under 512 MiB.
	boundMiB = 512
	hostile  = "/api/datasources/uid/hostile/resources"
)

type scenario struct {
	name, method, path string
	body               any
}

func scenarios() []scenario {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	inline := make([]map[string]any, 0, 60_000)
	for i := range 60_000 {
		inline = append(inline, map[string]any{"host": "h" + strconv.Itoa(i%50), "cpu": float64(i%100) / 100})
	}
	q := func(js map[string]any) map[string]any {
		js["refId"], js["datasource"] = "A", map[string]any{"uid": "bench"}
		return map[string]any{"from": "now-1h", "to": "now", "queries": []any{js}}
	}
	return []scenario{
		// An endless body (16 GiB) buffered for a transform: stops at maxInputBytes or at the byte budget.
		{"transform-endless-source", "POST", res + "/transform", map[string]any{"source": map[string]any{"path": "/large",
			"params": map[string]any{"size": "17179869184", "format": "json"}}}},
		{"query-endless-source", "POST", "/api/ds/query", q(map[string]any{"path": "/large",
			"params": map[string]any{"size": "17179869184", "format": "json"}})},
		// gjson modifiers on a 100k-deep string (finding 1).
		{"transform-modifier-root", "POST", res + "/transform", map[string]any{"data": map[string]any{"s": deep},
			"pipeline": map[string]any{"root": "s|@fromstr|@pretty"}}},
		// A filter that allocates a large range per row (finding 6).
		{"transform-costly-filter", "POST", res + "/transform", map[string]any{"data": inline,
			"pipeline": map[string]any{"steps": []any{map[string]any{"type": "filter", "expr": "len(filter(1..400000, # % 7 == 0)) > 0"}}}}},
		// A 512 MiB body streamed through the proxy.
		{"proxy-large-stream", "GET", res + "/proxy/large?size=536870912", nil},
		// Issue 21, each format's worst case (harness.Hostile).
		// 64 KB of gzip served as text/html without Content-Encoding (was 2.6 GB of DOM each).
		{"schema-gzip-as-html", "GET", hostile + "/schema?path=/gzip-as-html&format=html", nil},
		{"transform-gzip-as-html", "POST", hostile + "/transform", map[string]any{"source": map[string]any{"path": "/gzip-as-html"},
			"pipeline": map[string]any{"format": "html", "root": "p"}}},
		// A declared gzip body of 256 MiB of white space: decoded up to maxInputBytes.
		{"transform-gzip-bomb", "POST", hostile + "/transform", map[string]any{"source": map[string]any{"path": "/gzip-bomb.json"}}},
		// colspan/rowspan 1000 cells: 1.4 MB (was 1.7 GB of grid each).
		{"transform-span-grid", "POST", hostile + "/transform", map[string]any{"source": map[string]any{"path": "/spans.html"},
			"pipeline": map[string]any{"format": "html"}}},
		{"schema-span-grid", "GET", hostile + "/schema?path=/spans.html&format=html", nil},
		// 511 nested 10 KB names: 10 MB (was 1.28 GB of root-suggestion paths each).
		{"schema-xml-roots", "GET", hostile + "/schema?path=/deep.xml&format=xml", nil},
		// An HTML page read through the DOM (480 KB, 60,000 rows), as a query.
		{"query-html-dom", "POST", "/api/ds/query", qOn("hostile", map[string]any{"path": "/wide.html",
			"pipeline": map[string]any{"format": "html", "root": "div > p"}})},
		// 16 MiB of CSV, 8 million one-digit cells.
		{"transform-csv-cells", "POST", hostile + "/transform", map[string]any{"source": map[string]any{"path": "/cells.csv"},
			"pipeline": map[string]any{"format": "csv"}}},
		// Quadratic selectors and root suggestions (CPU: each refused or bounded, see the slowest call).
		{"transform-nth-child", "POST", hostile + "/transform", map[string]any{"source": map[string]any{"path": "/wide.html"},
			"pipeline": map[string]any{"format": "html", "root": "p:nth-child(2n+1)"}}},
		{"schema-html-roots", "GET", hostile + "/schema?path=/lists.html&format=html", nil},
	}
}

// qOn is a /api/ds/query body of one query on data source uid.
func qOn(uid string, js map[string]any) map[string]any {
	js["refId"], js["datasource"] = "A", map[string]any{"uid": uid}
	return map[string]any{"from": "now-1h", "to": "now", "queries": []any{js}}
}

// only selects scenarios by name (MEMORY_SCENARIOS, a regular expression; all by default).
var only = regexp.MustCompile(os.Getenv("MEMORY_SCENARIOS"))

func BenchmarkWorstCaseMemory(b *testing.B) {
	h := harness.StartHostile(b)
	s := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: []string{"-log-level", "error"},
		DemoArgs: []string{"-log-level", "warn"}, Env: map[string]string{"HOSTILE_URL": h.URL()}})
	idle := vm(b, s.PluginPID, "VmRSS")
	for b.Loop() {
		for _, sc := range scenarios() {
			if !only.MatchString(sc.name) {
				continue
			}
			resetPeak(s.PluginPID)
			statuses, slowest := fire(b, s, sc)
			fmt.Printf("memory: %-24s peak RSS %4d MiB, slowest call %6.2fs, statuses %v\n",
				sc.name, vm(b, s.PluginPID, "VmHWM")/1024, slowest.Seconds(), statuses)
		}
	}
	resetPeak(s.PluginPID)
	peak := overallPeak
	b.ReportMetric(float64(peak)/1024, "peak-MiB")
	b.ReportMetric(float64(idle)/1024, "idle-MiB")
	verdict := "within target"
	if peak/1024 > boundMiB {
		verdict = "ABOVE TARGET"
	}
	fmt.Printf("memory: %d concurrent worst-case calls × %d routes: plugin peak RSS %d MiB (idle %d MiB, target < %d MiB): %s\n",
		concurrent, len(scenarios()), peak/1024, idle/1024, boundMiB, verdict)
}

// fire sends the scenario's calls at once and counts the statuses; each call
// is bounded by a client timeout.
func fire(b *testing.B, s *harness.Stack, sc scenario) (map[int]int, time.Duration) {
	var payload []byte
	if sc.body != nil {
		payload, _ = json.Marshal(sc.body)
	}
	client := &http.Client{Timeout: 90 * time.Second}
	var mu sync.Mutex
	statuses := map[int]int{}
	var slowest time.Duration
	var wg sync.WaitGroup
	for range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(sc.method, s.URL(sc.path), bytes.NewReader(payload))
			req.SetBasicAuth("viewer", "viewer")
			req.Header.Set("Content-Type", "application/json")
			code := -1
			start := time.Now()
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			statuses[code]++
			slowest = max(slowest, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	return statuses, slowest
}

// resetPeak resets the process's VmHWM to its current RSS (Linux
// clear_refs), so each scenario's peak is its own; the summary's peak is
// the last scenario's then, so the overall peak is tracked separately.
func resetPeak(pid int) {
	if hwm := readKiB(pid, "VmHWM"); hwm > overallPeak {
		overallPeak = hwm
	}
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

var overallPeak int64

func readKiB(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// vm reads a /proc/<pid>/status field in KiB.
func vm(b *testing.B, pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	b.Fatalf("%s not in /proc/%d/status", field, pid)
	return 0
}
