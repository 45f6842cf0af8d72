package harness

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	// startTimeout bounds waiting for a child's "listening" line (the dev host first starts the plugin).
	startTimeout = 60 * time.Second
	// stopTimeout bounds a graceful stop: the dev host drains requests (5s) and stops the plugin (2s) on SIGTERM.
	stopTimeout = 15 * time.Second
	// logTailBytes is how much of a child's log is shown when a test fails.
	logTailBytes = 16 << 10
)

type processSpec struct {
	name    string
	path    string
	args    []string
	env     []string
	logPath string
	// readyLine is the start of the one line the child prints on stdout once it listens; the URL follows it.
	readyLine string
	// raceReport fails the test when the child's log holds a race detector report.
	raceReport bool
}

var loopbackURL = regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+$`)

// startProcess starts the child, waits for its listening line and returns the URL from it and the child's PID. The child's stderr and
// the rest of its stdout go to spec.logPath. At cleanup it is stopped with SIGTERM (SIGKILL if it hangs), its log
// is checked for data races, and shown if the test failed.
func startProcess(t testing.TB, spec processSpec) (string, int) {
	t.Helper()
	logFile, err := os.OpenFile(spec.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	cmd := exec.Command(spec.path, spec.args...)
	cmd.Env = spec.env
	cmd.Stdout = stdoutW
	cmd.Stderr = logFile
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("harness: starting %s: %v", spec.name, err)
	}
	_ = stdoutW.Close() // the child holds its own copy; EOF comes when it exits

	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	lines := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		defer stdoutR.Close()
		br := bufio.NewReader(stdoutR)
		line, _ := br.ReadString('\n')
		lines <- line
		_, _ = io.Copy(logFile, br)
	}()

	t.Cleanup(func() {
		stopProcess(t, spec.name, cmd, exited)
		select {
		case <-copied:
		case <-time.After(stopTimeout):
		}
		_ = logFile.Close()
		log, _ := os.ReadFile(spec.logPath)
		if spec.raceReport && strings.Contains(string(log), "WARNING: DATA RACE") {
			t.Errorf("harness: %s reported a data race; see %s", spec.name, spec.logPath)
		}
		if t.Failed() {
			t.Logf("harness: %s log (%s), last %d bytes:\n%s", spec.name, spec.logPath, logTailBytes, tail(log, logTailBytes))
		}
	})

	fail := func(format string, args ...any) {
		t.Helper()
		log, _ := os.ReadFile(spec.logPath)
		t.Fatalf("harness: %s: "+format+"\nlog:\n%s", append(append([]any{spec.name}, args...), tail(log, logTailBytes))...)
	}
	select {
	case line := <-lines:
		url, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), spec.readyLine)
		if !ok || !loopbackURL.MatchString(url) {
			fail("unexpected first stdout line %q", line)
		}
		return url, cmd.Process.Pid
	case <-exited:
		fail("exited before listening")
	case <-time.After(startTimeout):
		fail("not listening after %s", startTimeout)
	}
	return "", 0
}

// stopProcess asks the child to stop as a service manager would, then kills it if it does not.
func stopProcess(t testing.TB, name string, cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(stopTimeout):
	}
	t.Errorf("harness: %s did not stop within %s of SIGTERM; killing it", name, stopTimeout)
	_ = cmd.Process.Kill()
	select {
	case <-exited:
	case <-time.After(stopTimeout):
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
