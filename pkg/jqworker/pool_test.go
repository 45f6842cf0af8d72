package jqworker

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/transform"
)

// TestMain turns the test binary into a worker when a pool starts it as
// one: the pools below re-execute it, as the plugin re-executes itself.
func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

func newPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	if cfg.MemoryBytes == 0 {
		cfg.MemoryBytes = 64 << 20
	}
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func job(program, input string) *transform.JQJob {
	return &transform.JQJob{Program: program, Path: "steps[0].expr", Input: []byte(input), MaxRows: 1000, MaxOutputBytes: 1 << 20}
}

func runWithin(p transform.JQRunner, d time.Duration, j *transform.JQJob) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.RunJQ(ctx, j)
}

// TestPoolAnswersAsInProcess: a worker runs the engine's own RunJQJob, so
// rows and the program's errors are the same as in process.
func TestPoolAnswersAsInProcess(t *testing.T) {
	p := newPool(t, Config{Workers: 1})
	doc := `{"items":[{"id":9007199254740993,"n":"a"},{"id":2,"n":"b"}]}`
	for _, c := range []struct{ program, input string }{
		{`.items[] | {id, n}`, doc},
		{`[.items[] | {n, twice: (.id * 2)}]`, doc},
		{`.items | map({k: .n}) | .[]`, doc},
		{`empty`, doc},
		{`error("boom")`, doc},
		{`.items[0].n`, doc},
		{`input`, doc},
		{`range(2000) | {i: .}`, `null`},
	} {
		want, werr := transform.RunJQJob(context.Background(), job(c.program, c.input))
		got, gerr := runWithin(p, 20*time.Second, job(c.program, c.input))
		if string(got) != string(want) || errText(gerr) != errText(werr) {
			t.Errorf("%s:\n got  %.200s %v\n want %.200s %v", c.program, got, gerr, want, werr)
		}
	}
	if s := p.Stats(); s.Starts != 1 || s.Deaths != 0 {
		t.Errorf("one worker should have served every call, errors included: %+v", s)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var te *transform.Error
	if errors.As(err, &te) {
		return te.Code + " " + te.Path + " " + te.Message
	}
	return err.Error()
}

// killers are programs that end the process running them; reason is the
// limit named (either, for deep values: the stack's growth may hit the
// memory cap first).
var killers = []struct{ name, program, reason string }{
	{"deep value through tojson", `reduce range(200000) as $i (null; [.]) | tojson | {x: .}`, "stack|memory"},
	{"deep value compared", `(reduce range(200000) as $i (null; [.])) as $v | $v == $v | {x: .}`, "stack|memory"},
	{"one huge string", `"x" * 1000000000 | {x: .}`, "memory"},
}

// TestWorkerDeathIsThisCallsError: a program that kills its worker gets a
// JQLimitError naming the limit; the pool replaces the worker and the next
// call succeeds.
func TestWorkerDeathIsThisCallsError(t *testing.T) {
	p := newPool(t, Config{Workers: 2})
	for i, k := range killers {
		t.Run(k.name, func(t *testing.T) {
			_, err := runWithin(p, 60*time.Second, job(k.program, `null`))
			var le *transform.JQLimitError
			if !errors.As(err, &le) || !containsAny(le.Reason, strings.Split(k.reason, "|")) {
				t.Fatalf("got %T %v, want a JQLimitError about the %s", err, err, k.reason)
			}
			out, err := runWithin(p, 20*time.Second, job(`{ok: true}`, `null`))
			if err != nil || string(out) != `[{"ok":true}]` {
				t.Fatalf("the next call: %s %v", out, err)
			}
			if s := p.Stats(); s.Deaths != int64(i+1) || s.Live > 2 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

// TestDeadlineKillsWorker: a program still running at the caller's
// deadline is killed with its worker; the caller gets the context's error.
func TestDeadlineKillsWorker(t *testing.T) {
	p := newPool(t, Config{Workers: 1})
	if _, err := runWithin(p, 20*time.Second, job(`{}`, `null`)); err != nil { // warm
		t.Fatal(err)
	}
	for _, program := range []string{`last(range(1e12)) | {x: .}`, `def f: f; f`, `[repeat(1)] | {x: .}`} {
		_, err := runWithin(p, 500*time.Millisecond, job(program, `null`))
		if !errors.Is(err, context.DeadlineExceeded) && !isCode(err, transform.CodeExprTooCostly) {
			t.Fatalf("%s: %T %v", program, err, err)
		}
	}
	out, err := runWithin(p, 20*time.Second, job(`{ok: 1}`, `null`))
	if err != nil || string(out) != `[{"ok":1}]` {
		t.Fatalf("after the deadlines: %s %v", out, err)
	}
}

func isCode(err error, code string) bool {
	var te *transform.Error
	return errors.As(err, &te) && te.Code == code
}

// TestConcurrencyBounded: more callers than workers wait for a worker; no
// more than Workers processes ever live, and every caller is served.
func TestConcurrencyBounded(t *testing.T) {
	p := newPool(t, Config{Workers: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	stop := make(chan struct{})
	maxLive := 0
	var mu sync.Mutex
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				if l := p.Stats().Live; l > maxLive {
					mu.Lock()
					maxLive = l
					mu.Unlock()
				}
			}
		}
	}()
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			program := `[range(200000)] | length | {n: .}`
			if i%4 == 0 {
				program = `"x" * 1000000000 | {x: .}` // deaths in between
			}
			_, err := runWithin(p, 60*time.Second, job(program, `null`))
			if i%4 != 0 && err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if maxLive > 2 || maxLive == 0 {
		t.Fatalf("%d workers lived at once, want 1 or 2", maxLive)
	}
}

// TestStartFailures: a command that is no worker is an error, not a hang.
func TestStartFailures(t *testing.T) {
	for _, cmd := range [][]string{{"/nonexistent/gpx_relay"}, {"/bin/echo", "hello world, no frames here"}, {"/bin/sleep", "30"}} {
		p := newPool(t, Config{Command: cmd, StartTimeout: time.Second})
		_, err := runWithin(p, 10*time.Second, job(`{}`, `null`))
		if err == nil || p.Stats().Live != 0 {
			t.Fatalf("%v: %v, %+v", cmd, err, p.Stats())
		}
	}
}

// TestConfigFromEnv: the admin's settings, and their errors.
func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{EnvWorkers: "3", EnvMemory: "256MiB"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || c.Workers != 3 || c.MemoryBytes != 256<<20 {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []map[string]string{{EnvWorkers: "0"}, {EnvWorkers: "many"}, {EnvMemory: "1MiB"}, {EnvMemory: "lots"}} {
		if _, err := ConfigFromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestCallerShare: one caller's costly programs hold at most half the
// workers, so another caller's program runs at once beside them.
func TestCallerShare(t *testing.T) {
	p := newPool(t, Config{Workers: 2})
	if p.Share() != 1 {
		t.Fatalf("share %d", p.Share())
	}
	hog, other := ForCaller(p, "1/mallory"), ForCaller(p, "1/alice")
	var wg sync.WaitGroup
	hogDone := make(chan time.Time, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = runWithin(hog, 5*time.Second, job(`last(range(1e12)) | {x: .}`, `null`))
			hogDone <- time.Now()
		}()
	}
	time.Sleep(300 * time.Millisecond) // the hog's calls are running or waiting
	out, err := runWithin(other, 20*time.Second, job(`{ok: true}`, `null`))
	otherDone := time.Now()
	if err != nil || string(out) != `[{"ok":true}]` {
		t.Fatalf("another caller beside the hog: %s %v", out, err)
	}
	wg.Wait()
	close(hogDone)
	for d := range hogDone {
		if !otherDone.Before(d) {
			t.Fatalf("another caller was answered only after one of the hog's calls ended: it waited for the hog")
		}
	}
	if ForCaller(transform.InProcessJQ(), "x") != transform.InProcessJQ() {
		t.Error("ForCaller wraps only pools")
	}
}

// TestWorkerEnvironment: a worker gets its limits and nothing of the
// plugin's environment (Grafana passes its settings and secrets to plugins).
func TestWorkerEnvironment(t *testing.T) {
	t.Setenv("GF_PLUGIN_APP_CLIENT_SECRET", "canary-secret")
	cfg, err := Config{MemoryBytes: 64 << 20}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Join(workerCommand(&cfg).Env, "\n")
	for _, want := range []string{"RELAY_JQ_WORKER=1", "RELAY_JQ_MEMORY=67108864", "RELAY_JQ_STACK=16777216"} {
		if !strings.Contains(env, want) {
			t.Errorf("%s missing from %q", want, env)
		}
	}
	if strings.Contains(env, "canary-secret") || strings.Contains(env, "PATH=") || strings.Contains(env, "HOME=") {
		t.Fatalf("the worker inherits the plugin's environment: %q", env)
	}
}

// TestCostlyProgramRetiresWorker: a worker that ran a program which grew
// its memory (stopped by the heap watchdog, so no death) is replaced, so
// the next program does not inherit a worker near its memory cap.
func TestCostlyProgramRetiresWorker(t *testing.T) {
	p := newPool(t, Config{Workers: 1})
	_, err := runWithin(p, 60*time.Second, job(`[range(5000000)] | {n: length}`, `null`))
	if !isCode(err, transform.CodeExprTooCostly) {
		var le *transform.JQLimitError
		if !errors.As(err, &le) {
			t.Fatalf("a costly program: %v", err)
		}
	}
	out, err := runWithin(p, 20*time.Second, job(`{ok: true}`, `null`))
	if err != nil || string(out) != `[{"ok":true}]` {
		t.Fatalf("the next program: %s %v", out, err)
	}
	t.Logf("%+v", p.Stats())
	if s := p.Stats(); s.Retired+s.Deaths != 1 || s.Starts != 2 || s.Live > 1 {
		t.Fatalf("the costly program's worker should have been replaced: %+v", s)
	}
}
