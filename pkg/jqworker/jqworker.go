// Package jqworker runs callers' jq programs in sandboxed worker processes.
//
// A jq program is Turing-complete code from the caller, run by a library
// (gojq) whose recursion and allocations Relay cannot bound everywhere: a
// value nested a million deep overflows the goroutine stack in gojq's
// comparison or encoder (a fatal error in Go, which would take down every
// call of every data source), and one operation such as "x" * 1e9 allocates
// a gigabyte before any watchdog can look. So the plugin runs each program
// in a worker: the plugin binary itself, re-executed with RELAY_JQ_WORKER
// set (Main, called first thing in pkg/main.go, turns such a process into a
// worker before the SDK starts). Before it reads any work the worker sets
// its own limits: a small maximum goroutine stack, Go's soft memory limit
// and, on Linux, RLIMIT_DATA (a hard cap on its writable memory) and a CPU
// time limit per program (limits_*.go). Whatever kills a worker — stack,
// memory, CPU, the caller's deadline (the pool kills it then) — is an error
// for that one call (transform.JQLimitError → 422 jq_resource_limit, or the
// timeout) and the pool starts a replacement; the plugin and every other
// call go on.
//
// The pool (pool.go) keeps up to Config.Workers warm workers, each running
// one program at a time and reused after a successful run, so the common
// call pays two pipe round trips, not a process start. The protocol
// (protocol.go) is length-prefixed frames over the worker's stdin and
// stdout: a JSON header (the transform.JQJob) and the input document; the
// answer is a JSON header (the error, if any) and the rows. The worker runs
// transform.RunJQJob, so a sandboxed run answers exactly as an in-process
// one, and the engine checks the answer again (size, syntax, depth).
package jqworker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/transform"
)

// Environment of a worker process (set by the pool, read by Main).
const (
	envWorker = "RELAY_JQ_WORKER" // "1": this process is a worker
	envMemory = "RELAY_JQ_MEMORY" // bytes
	envStack  = "RELAY_JQ_STACK"  // bytes
)

// Settings an admin may give the plugin process (Grafana's environment).
const (
	EnvWorkers = "GF_PLUGIN_JQ_WORKERS"       // worker processes at most (default 2)
	EnvMemory  = "GF_PLUGIN_JQ_WORKER_MEMORY" // memory per worker, GOMEMLIMIT syntax (default 128MiB)
)

// Config shapes a pool. Zero fields take the defaults.
type Config struct {
	// Workers bounds the worker processes, so also the jq programs running
	// at once, plugin-wide; more callers wait for a worker until their deadline.
	Workers int
	// MemoryBytes is what one worker may allocate beyond what it had at
	// start (its heap, stacks and the program's input and output).
	MemoryBytes int64
	// StackBytes bounds one goroutine's stack in a worker.
	StackBytes int64
	// Command is the worker's command line; the running executable by default.
	Command []string
	// StartTimeout bounds a worker's start (exec to its hello).
	StartTimeout time.Duration
	// Logger gets one line per worker death; log.DefaultLogger by default.
	Logger log.Logger
}

// Defaults.
const (
	DefaultWorkers      = 2
	DefaultMemoryBytes  = 128 << 20
	DefaultStackBytes   = 16 << 20
	DefaultStartTimeout = 10 * time.Second
)

func (c Config) withDefaults() (Config, error) {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.MemoryBytes <= 0 {
		c.MemoryBytes = DefaultMemoryBytes
	}
	if c.StackBytes <= 0 {
		c.StackBytes = DefaultStackBytes
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	if c.Logger == nil {
		c.Logger = log.DefaultLogger
	}
	if len(c.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("jq worker: the plugin's executable: %w", err)
		}
		c.Command = []string{exe}
	}
	return c, nil
}

// ConfigFromEnv reads GF_PLUGIN_JQ_WORKERS and GF_PLUGIN_JQ_WORKER_MEMORY;
// a bad value is an error naming it (the caller keeps the defaults).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	if v := strings.TrimSpace(getenv(EnvWorkers)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return Config{}, fmt.Errorf("%s %q: want a number of workers from 1 to 64", EnvWorkers, v)
		}
		c.Workers = n
	}
	if v := strings.TrimSpace(getenv(EnvMemory)); v != "" {
		n, err := parseBytes(v)
		if err != nil || n < 16<<20 {
			return Config{}, fmt.Errorf("%s %q: want a size of at least 16MiB, e.g. 256MiB", EnvMemory, v)
		}
		c.MemoryBytes = n
	}
	return c, nil
}

// parseBytes reads GOMEMLIMIT's syntax: a number with an optional B, KiB,
// MiB, GiB or TiB suffix.
func parseBytes(v string) (int64, error) {
	scale := int64(1)
	for _, u := range []struct {
		suffix string
		scale  int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if s, ok := strings.CutSuffix(v, u.suffix); ok {
			v, scale = strings.TrimSpace(s), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/scale {
		return 0, fmt.Errorf("not a size")
	}
	return n * scale, nil
}

// canServe is set by Main: this executable turns into a worker when
// started as one, so the pool may re-execute it.
var canServe atomic.Bool

// Main makes this process a jq worker when the pool started it as one (it
// then serves until its stdin closes and exits, never returning); otherwise
// it records that the executable can serve workers and returns. Call it
// first thing in main (and in TestMain of tests that run pools on the test
// binary), before anything else starts.
func Main() {
	if os.Getenv(envWorker) == "1" {
		os.Exit(serveWorker())
	}
	canServe.Store(true)
}

var shared struct {
	once sync.Once
	pool *Pool
}

// Shared is the process's pool (configured from the environment), or nil
// when this executable cannot serve workers (Main was not called: a test
// binary), in which case jq runs in process.
func Shared() transform.JQRunner {
	if !canServe.Load() {
		return nil
	}
	shared.once.Do(func() {
		cfg, err := ConfigFromEnv(os.Getenv)
		if err != nil {
			log.DefaultLogger.Warn("ignoring the jq worker settings", "error", err.Error())
			cfg = Config{}
		}
		p, err := NewPool(cfg)
		if err != nil {
			// No executable path: jq cannot be sandboxed, so it is refused
			// (every run answers the error) rather than run unbounded.
			log.DefaultLogger.Error("jq sandbox unavailable", "error", err.Error())
			p = &Pool{broken: err}
		}
		shared.pool = p
	})
	return shared.pool
}
