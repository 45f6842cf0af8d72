package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The integration tests run the dev host in-process (so -race covers its code) against the echo plugin in
// testdata/echoplugin, built once per test binary.

var echoBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if echoBuild.dir != "" {
		_ = os.RemoveAll(echoBuild.dir)
	}
	os.Exit(code)
}

func echoPluginPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: builds and runs a plugin binary")
	}
	echoBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "devhost-test-")
		if err != nil {
			echoBuild.err = err
			return
		}
		echoBuild.dir = dir
		echoBuild.path = filepath.Join(dir, "gpx_echo")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", echoBuild.path, "./testdata/echoplugin").CombinedOutput()
		if err != nil {
			echoBuild.err = &buildError{err: err, out: string(out)}
		}
	})
	if echoBuild.err != nil {
		t.Fatalf("building the echo plugin: %v", echoBuild.err)
	}
	return echoBuild.path
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// Passwords of usersYAML (users_test.go), for requests.
var testPasswords = map[string]string{"admin": "admin-pw", "viewer": "viewer-pw", "nobody": "nobody-pw"}

const testProvisioning = `
apiVersion: 1
datasources:
  - name: Echo
    type: relay-gateway-datasource
    uid: echo
    url: http://upstream.invalid
    basicAuth: true
    basicAuthUser: svc
    jsonData:
      keepCookies: [keep_me]
    secureJsonData:
      apiKey: $ECHO_TEST_SECRET
  - name: Unhealthy
    type: relay-gateway-datasource
    uid: sick
    jsonData:
      healthFail: true
  - name: Elsewhere
    type: relay-gateway-datasource
    uid: org2
    orgId: 2
  - name: Prometheus
    type: prometheus
    uid: prom
`

// testSecret is provisioned as secureJsonData.apiKey; no dev host response may contain it.
const testSecret = "s3cr3t-value-never-shown"

type devHost struct {
	url    string
	client *http.Client
	log    *syncBuffer
}

var listeningLine = regexp.MustCompile(`^devhost listening on (http://127\.0\.0\.1:[0-9]+)\n$`)

// startDevHost runs the dev host in-process on a free port and stops it (and so the plugin) at cleanup.
func startDevHost(t *testing.T, extraArgs ...string) *devHost {
	t.Helper()
	plugin := echoPluginPath(t)
	dir := t.TempDir()
	prov, usersFile := filepath.Join(dir, "datasources.yaml"), filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(prov, []byte(testProvisioning), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(usersFile, []byte(usersYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ECHO_TEST_SECRET", testSecret)

	args := append([]string{"-plugin", plugin, "-provisioning", prov, "-users", usersFile, "-addr", "127.0.0.1:0"}, extraArgs...)
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, stdoutW, logs)
		_ = stdoutW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dev host: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("dev host did not stop within 30s")
		}
		if t.Failed() {
			t.Logf("dev host log:\n%s", logs.String())
		}
	})

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdoutR).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdoutR)
	}()
	select {
	case line := <-lines:
		m := listeningLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected first stdout line %q; log:\n%s", line, logs.String())
		}
		return &devHost{url: m[1], client: &http.Client{Timeout: 60 * time.Second}, log: logs}
	case err := <-done:
		t.Fatalf("dev host exited before listening: %v; log:\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("dev host not listening after 60s; log:\n%s", logs.String())
	}
	return nil
}

// do sends a request as login (empty: no credentials) and returns the response with its whole body.
func (d *devHost) do(t *testing.T, method, path, login string, body []byte, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, d.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if login != "" {
		req.SetBasicAuth(login, testPasswords[login])
	}
	resp, err := d.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, b
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
