package jqworker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/relay-gateway/relay/pkg/transform"
)

// worker is one worker process as the pool sees it.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *headBuffer
	cfg    *Config
	once   sync.Once
	retire bool // its last answer asked to be replaced
}

// startWorker starts a worker and waits for its hello (bounded by ctx and
// the start timeout).
func startWorker(ctx context.Context, cfg *Config) (*worker, error) {
	cmd := workerCommand(cfg)
	w := &worker{cmd: cmd, stderr: &headBuffer{max: 4 << 10}, cfg: cfg}
	cmd.Stderr = w.stderr
	var err error
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if w.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("jq worker: start %s: %w", cfg.Command[0], err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	defer cancel()
	var h hello
	err = w.await(ctx, func() error { return readJSONFrame(w.stdout, 64<<10, &h) })
	if err == nil && h.Protocol != protocolVersion {
		err = fmt.Errorf("jq worker: %s answered %q, not %q", cfg.Command[0], h.Protocol, protocolVersion)
	}
	if err != nil {
		w.kill()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("jq worker did not start in time: %w", ctx.Err())
		}
		return nil, fmt.Errorf("jq worker did not start: %w (%s)", err, w.exitDescription())
	}
	return w, nil
}

// workerCommand is a worker's command line and environment. Nothing of the
// plugin's environment (Grafana's settings, secrets) goes to a process that
// runs callers' programs: only its limits.
func workerCommand(cfg *Config) *exec.Cmd {
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Env = []string{envWorker + "=1",
		envMemory + "=" + strconv.FormatInt(cfg.MemoryBytes, 10),
		envStack + "=" + strconv.FormatInt(cfg.StackBytes, 10)}
	if v, ok := os.LookupEnv("GORACE"); ok { // race-built tests
		cmd.Env = append(cmd.Env, "GORACE="+v)
	}
	cmd.SysProcAttr = sysProcAttr()
	return cmd
}

// await runs io until it ends or ctx is done; then the worker is killed,
// which ends io (its pipes close).
func (w *worker) await(ctx context.Context, io func() error) error {
	done := make(chan error, 1)
	go func() { done <- io() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		w.kill()
		<-done
		return ctx.Err()
	}
}

// run sends job to the worker and reads its answer. healthy is false when
// the worker is dead or killed (its error says why); it must not be reused.
func (w *worker) run(ctx context.Context, job *transform.JQJob, cpuSeconds int64) (out []byte, err error, healthy bool) {
	w.retire = false
	var resp response
	ioErr := w.await(ctx, func() error {
		if err := writeJSONFrame(w.stdin, request{Job: *job, CPUSeconds: cpuSeconds}); err != nil {
			return err
		}
		if err := writeFrame(w.stdin, job.Input); err != nil {
			return err
		}
		if err := readJSONFrame(w.stdout, maxHeaderBytes, &resp); err != nil {
			return err
		}
		// The worker checked MaxOutputBytes; more is a broken worker.
		var err error
		out, err = readFrame(w.stdout, job.MaxOutputBytes+2)
		return err
	})
	w.retire = resp.Retire
	switch {
	case ioErr == nil && resp.Error != nil:
		return nil, resp.Error, true
	case ioErr == nil:
		return out, nil, true
	case ctx.Err() != nil:
		return nil, ctx.Err(), false
	}
	w.kill()
	return nil, &transform.JQLimitError{Reason: w.deathReason()}, false
}

// kill ends the process (if it still runs) and reaps it.
func (w *worker) kill() {
	w.once.Do(func() {
		_ = w.cmd.Process.Kill()
		_ = w.stdin.Close()
		_ = w.cmd.Wait()
	})
}

// stop retires a healthy worker: its stdin closes and it exits.
func (w *worker) stop() {
	w.once.Do(func() {
		_ = w.stdin.Close()
		timer := time.AfterFunc(2*time.Second, func() { _ = w.cmd.Process.Kill() })
		_ = w.cmd.Wait()
		timer.Stop()
	})
}

// deathReason says what ended a dead worker, from what the Go runtime wrote
// before it died and the exit status; no internals beyond the limit hit.
func (w *worker) deathReason() string {
	msg := w.stderr.String()
	mib := func(n int64) int64 { return n >> 20 }
	switch {
	case strings.Contains(msg, "stack overflow") || strings.Contains(msg, "stack exceeds"):
		return fmt.Sprintf("it recursed deeper than the jq worker's %d MiB stack allows (a value nested too deep?)", mib(w.cfg.StackBytes))
	case strings.Contains(msg, "out of memory") || strings.Contains(msg, "failed to allocate") ||
		strings.Contains(msg, "cannot allocate") || strings.Contains(msg, "address space"): // a reservation over RLIMIT_AS
		return fmt.Sprintf("it used more than the jq worker's %d MiB of memory", mib(w.cfg.MemoryBytes))
	case strings.Contains(msg, cpuLimitMessage) || signaled(w.cmd.ProcessState, syscall.Signal(0x18)): // SIGXCPU
		return "it used more CPU time than its deadline allows"
	}
	return "the jq worker stopped (" + w.exitDescription() + ")"
}

func (w *worker) exitDescription() string {
	if st := w.cmd.ProcessState; st != nil {
		return st.String()
	}
	return "still running"
}

func signaled(st *os.ProcessState, sig syscall.Signal) bool {
	if st == nil {
		return false
	}
	ws, ok := st.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// headBuffer keeps the first max bytes written to it: the Go runtime's
// fatal error line comes first, the goroutine dumps after it.
type headBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.max - h.buf.Len(); room > 0 {
		h.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (h *headBuffer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buf.String()
}

var errClosed = errors.New("jq worker pool closed")
