package blackbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 21, findings 1 and 2 (jq): a Viewer's jq program killed the whole
// plugin (a Go stack overflow in gojq's encoder or comparison over a value
// nested millions deep) or grew it by gigabytes in one operation. jq now runs
// in sandboxed worker processes: each of these programs is a 422 (or the
// timeout) for its caller, through every route that runs jq, and the plugin
// process — the same PID — goes on serving.

// jqStack runs a stack whose jq workers have 32 MiB each (the default is
// 128 MiB), so the killers reach the limit in a fraction of the time, and
// whose transforms time out after 4 s (the programs that never allocate).
func jqStack(t *testing.T) *harness.Stack {
	t.Helper()
	s := harness.Start(t, harness.Options{
		Provisioning: provisioning(`{"healthPath":"/health","network":{"allowPrivateNetworks":true},` +
			`"rateLimits":{"disabled":true},"transform":{"timeout":"4s"}}`),
		Env: map[string]string{"GF_PLUGIN_JQ_WORKER_MEMORY": "32MiB"},
	})
	return s
}

// jqKillers are the review's examples and variants of them. Each would end
// (or balloon) a process that ran it in process.
var jqKillers = []struct{ name, program string }{
	{"review: deep nesting", `reduce range(3000000) as $i (null; [.]) | {x: .}`},
	// (A query's root is interpolated first, where $i is a template
	// variable; this is the same program without one, used there.)
	{"review: huge string", `"x" * 1000000000`},
	{"deep via recurse", `last(limit(3000000; recurse([.]))) | {x: .}`},
	{"tojson of a deep value", `reduce range(1000000) as $i (null; {a: .}) | tojson | {x: .}`},
	{"comparison of deep values", `(reduce range(1000000) as $i (null; [.])) as $v | ($v == $v) | {x: .}`},
	{"billion-element array", `[range(1e9)] | {n: length}`},
	{"endless recursion", `def f: f; f`},
}

// jqRefused reports whether an answer is the sandbox's refusal: a 422
// (jq_resource_limit, or expression_too_costly from the worker's watchdog
// or the depth bound) or the timeout.
func jqRefused(status int, body string) bool {
	switch status {
	case http.StatusUnprocessableEntity:
		return strings.Contains(body, "jq_resource_limit") || strings.Contains(body, "expression_too_costly") ||
			strings.Contains(body, "the jq program was stopped") || strings.Contains(body, "expression exceeded its budget")
	case http.StatusGatewayTimeout:
		return strings.Contains(body, "timeout") || strings.Contains(body, "timed out")
	}
	return false
}

// pluginAlive checks that the plugin is the process it was (not restarted)
// and serves a normal jq request.
func pluginAlive(t *testing.T, s *harness.Stack, pid int, after string) {
	t.Helper()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("after %s: plugin process %d is gone: %v", after, pid, err)
	}
	resp, body := s.Do("GET", "/api/devhost/plugin", "", nil, nil)
	var info struct {
		PID int `json:"pid"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &info) != nil || info.PID != pid {
		t.Fatalf("after %s: the plugin is %d (%s), was %d", after, info.PID, body, pid)
	}
	resp, body = s.Do("POST", res+"/transform", "viewer", map[string]any{"data": []any{map[string]any{"a": 2}},
		"pipeline": map[string]any{"steps": []any{map[string]any{"type": "jq", "expr": "map({b: (.a * 21)})"}}}}, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "42") {
		t.Fatalf("after %s: a normal jq step: %d %.300s", after, resp.StatusCode, body)
	}
}

func jqStep(program string) map[string]any {
	return map[string]any{"steps": []any{map[string]any{"type": "jq", "expr": program}}}
}

func jqRoot(program string) map[string]any {
	return map[string]any{"rootSyntax": "jq", "root": program}
}

// TestJQSandboxKillersOnEveryRoute: the review's two examples through every
// route and place that runs jq — a step and a root, on /transform and
// /api/ds/query, a root on /schema.
func TestJQSandboxKillersOnEveryRoute(t *testing.T) {
	s := jqStack(t)
	pid := s.PluginPID
	for _, k := range jqKillers[:2] {
		for _, route := range []struct {
			name string
			call func() (int, string)
		}{
			{"/transform step", func() (int, string) {
				resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": []any{map[string]any{"a": 1}}, "pipeline": jqStep(k.program)}, nil)
				return resp.StatusCode, string(body)
			}},
			{"/transform root", func() (int, string) {
				resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": map[string]any{"a": 1}, "pipeline": jqRoot(k.program)}, nil)
				return resp.StatusCode, string(body)
			}},
			{"query step", func() (int, string) {
				_, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "path": "/api/items", "pipeline": jqStep(k.program)})
				return out.Results["A"].Status, out.Results["A"].Error + string(body)
			}},
			{"query root", func() (int, string) {
				program := strings.Replace(k.program, `reduce range(3000000) as $i (null; [.])`, `nth(3000000; recurse([.]))`, 1)
				_, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "data": map[string]any{"a": 1}, "pipeline": jqRoot(program)})
				return out.Results["A"].Status, out.Results["A"].Error + string(body)
			}},
			{"/schema root", func() (int, string) {
				resp, body := s.Do("GET", res+"/schema?path=/api/items&rootSyntax=jq&root="+url.QueryEscape(k.program), "viewer", nil, nil)
				return resp.StatusCode, string(body)
			}},
		} {
			t0 := time.Now()
			status, body := route.call()
			if !jqRefused(status, body) {
				t.Errorf("%s on %s: %d %.400s", k.name, route.name, status, body)
			}
			t.Logf("%-22s %-16s → %d in %v", k.name, route.name, status, time.Since(t0).Round(time.Millisecond))
			pluginAlive(t, s, pid, k.name+" on "+route.name)
		}
	}
}

// TestJQSandboxVariants: the variants as a /transform step (the other
// routes share the runner, as the test above shows), and several killers at
// once: each caller gets its own refusal, nobody else notices.
func TestJQSandboxVariants(t *testing.T) {
	s := jqStack(t)
	pid := s.PluginPID
	for _, k := range jqKillers[2:] {
		t0 := time.Now()
		resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": []any{map[string]any{"a": 1}}, "pipeline": jqStep(k.program)}, nil)
		if !jqRefused(resp.StatusCode, string(body)) {
			t.Errorf("%s: %d %.400s", k.name, resp.StatusCode, body)
		}
		t.Logf("%-26s → %d in %v", k.name, resp.StatusCode, time.Since(t0).Round(time.Millisecond))
		pluginAlive(t, s, pid, k.name)
	}
	// Four killers at once from one Viewer, and an Editor's normal jq query
	// in between, which is answered.
	done := make(chan string, 4)
	for i := range 4 {
		go func() {
			resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": []any{map[string]any{"a": 1}}, "pipeline": jqStep(jqKillers[i%2].program)}, nil)
			if !jqRefused(resp.StatusCode, string(body)) {
				done <- string(body)
				return
			}
			done <- ""
		}()
	}
	status, out, body := dsQuery(s, "editor", map[string]any{"refId": "B", "data": []any{map[string]any{"a": 1}}, "pipeline": jqStep("map({b: .a})")})
	if status != 200 || out.Results["B"].Error != "" {
		t.Errorf("a normal query beside the killers: %d %.300s", status, body)
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Errorf("a concurrent killer: %.300s", msg)
		}
	}
	pluginAlive(t, s, pid, "four concurrent killers")
}
