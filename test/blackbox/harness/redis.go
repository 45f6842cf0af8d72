package harness

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Redis is a real redis-server (Debian's package) on a free loopback port, for shared-state tests. It keeps
// nothing on disk (--save ” --appendonly no) and is killed at cleanup. Kill and Restart (same port, empty data)
// stand for a crashed and recovered server; Pause and Resume (SIGSTOP/SIGCONT) for a server that stops answering.
type Redis struct {
	// Port is the loopback port; URL is redis://[:password@]127.0.0.1:Port/0.
	Port     int
	URL      string
	Password string

	t    testing.TB
	bin  string
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// RedisOptions: Password sets requirepass (and goes into URL).
type RedisOptions struct {
	Password string
}

// StartRedis installs redis-server with apt-get when it is missing (as the browser test installs chromium),
// starts it and waits until it answers PING.
func StartRedis(t testing.TB, opts RedisOptions) *Redis {
	t.Helper()
	bin := ensureRedisServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("harness: redis port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	r := &Redis{Port: port, Password: opts.Password, t: t, bin: bin, dir: t.TempDir()}
	auth := ""
	if opts.Password != "" {
		auth = ":" + opts.Password + "@"
	}
	r.URL = fmt.Sprintf("redis://%s127.0.0.1:%d/0", auth, port)
	r.Restart()
	t.Cleanup(r.Kill)
	return r
}

// Restart starts the server (again) on the same port, empty, and waits until it answers.
func (r *Redis) Restart() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.t.Fatalf("harness: redis is already running")
	}
	args := []string{"--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--protected-mode", "no"}
	if r.Password != "" {
		args = append(args, "--requirepass", r.Password)
	}
	cmd := exec.Command(r.bin, args...)
	logFile, err := os.OpenFile(filepath.Join(r.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		r.t.Fatalf("harness: %v", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("harness: starting redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(done) }()
	r.cmd, r.done = cmd, done
	deadline := time.Now().Add(startTimeout)
	for !r.pingLocked() {
		select {
		case <-done:
			b, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			r.t.Fatalf("harness: redis-server exited:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("harness: redis-server did not answer within %s", startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PID is the running server's process id (0 when stopped), e.g. to place it on CPUs in benchmarks.
func (r *Redis) PID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return 0
	}
	return r.cmd.Process.Pid
}

// Kill stops the server at once (SIGKILL), as a crash would; its data is gone.
func (r *Redis) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGCONT) // a paused server must be able to die
	_ = r.cmd.Process.Kill()
	<-r.done
	r.cmd, r.done = nil, nil
}

// Pause stops the server without closing its connections (SIGSTOP): calls hang until they time out.
func (r *Redis) Pause() { r.signal(syscall.SIGSTOP) }

// Resume continues a paused server.
func (r *Redis) Resume() { r.signal(syscall.SIGCONT) }

func (r *Redis) signal(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		_ = r.cmd.Process.Signal(sig)
	}
}

// Command sends one command (inline form, arguments without spaces) and returns the first line of the reply, e.g.
// Command("DBSIZE") = ":3".
func (r *Redis) Command(args ...string) string {
	r.t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(r.Port), 2*time.Second)
	if err != nil {
		r.t.Fatalf("harness: redis: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	if r.Password != "" {
		fmt.Fprintf(conn, "AUTH %s\r\n", r.Password)
		if line, _ := br.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
			r.t.Fatalf("harness: redis AUTH: %q", line)
		}
	}
	fmt.Fprintf(conn, "%s\r\n", strings.Join(args, " "))
	line, err := br.ReadString('\n')
	if err != nil {
		r.t.Fatalf("harness: redis %v: %v", args, err)
	}
	return strings.TrimRight(line, "\r\n")
}

func (r *Redis) pingLocked() bool {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(r.Port), time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(conn, "PING\r\n")
	line, _ := bufio.NewReader(conn).ReadString('\n')
	// With requirepass an unauthenticated PING answers NOAUTH: the server is up.
	return strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH")
}

// ensureRedisServer finds redis-server or installs Debian's package (root, apt-get; one test binary at a time).
func ensureRedisServer(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "relay-harness-apt.lock"))
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	defer unlock()
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	t.Log("harness: installing redis-server with apt-get...")
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	install := func() ([]byte, error) {
		cmd := exec.Command("apt-get", "install", "-y", "--no-install-recommends", "redis-server")
		cmd.Env = env
		return cmd.CombinedOutput()
	}
	if out, err := install(); err != nil {
		update := exec.Command("apt-get", "update")
		update.Env = env
		if uout, uerr := update.CombinedOutput(); uerr != nil {
			t.Fatalf("harness: redis-server is missing and apt-get update failed: %v\n%s\n%s", uerr, out, uout)
		}
		if out, err := install(); err != nil {
			t.Fatalf("harness: redis-server is missing and apt-get install failed: %v\n%s", err, out)
		}
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("harness: redis-server not found after installing it: %v", err)
	}
	return p
}
