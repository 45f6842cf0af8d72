// Package harness starts Relay the way black-box tests need it: the plugin binary under the dev host (which stands
// in for Grafana and speaks the real plugin protocol) and the demo API as an upstream, all on loopback ports, all
// stopped when the test ends.
//
//	s := harness.Start(t, harness.Options{Provisioning: `
//	apiVersion: 1
//	datasources:
//	  - name: Relay
//	    type: relay-gateway-datasource
//	    uid: relay
//	    url: $DEMO_URL
//	`})
//	resp, body := s.Do("GET", "/api/datasources/uid/relay/resources/info", "viewer", nil, nil)
//
// Binaries are built once and shared by every test binary (go install into a cache directory, with -race when the
// tests run with -race, so races in the plugin and the dev host are reported: the harness fails the test when their
// log shows one). The Relay plugin carries package.json's version, as a release build does.
package harness

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// DefaultPluginPackage is the Relay plugin's main package, relative to the module root.
const DefaultPluginPackage = "./pkg"

// DefaultPluginID is Relay's plugin id; provisioned data sources of this type are served.
const DefaultPluginID = "relay-gateway-datasource"

// DefaultUsers is used when Options.Users is empty: one user per Grafana org role, password = login, and a
// service-account token for "robot".
const DefaultUsers = `
- {login: admin, password: admin, name: Admin, email: admin@example.com, role: Admin}
- {login: editor, password: editor, name: Editor, email: editor@example.com, role: Editor}
- {login: viewer, password: viewer, name: Viewer, email: viewer@example.com, role: Viewer}
- {login: none, password: none, name: No Role, email: none@example.com, role: None}
- {login: robot, token: glsa_harness_robot_token, name: Robot, role: Editor}
`

// Options describes one stack. Everything is optional except, in practice, Provisioning.
type Options struct {
	// Provisioning is Grafana data source provisioning YAML. It may use $DEMO_URL (the demo API's base URL) and
	// any variable of Env.
	Provisioning string
	// Users is the dev host's users YAML; DefaultUsers when empty.
	Users string
	// Env is added to the dev host's environment, which the plugin inherits, as it inherits Grafana's; it may
	// override DEMO_URL, e.g. to point a stack without its own demo API at another stack's.
	Env map[string]string
	// PluginPackage is the plugin's main package relative to the module root; DefaultPluginPackage when empty.
	PluginPackage string
	// PluginID is the dev host's -plugin-id; DefaultPluginID when empty.
	PluginID string
	// SkipDemo starts no demo API; DemoURL and $DEMO_URL are then empty.
	SkipDemo bool
	// DevHostArgs and DemoArgs are extra command-line flags, e.g. "-max-request-bytes", "1024" or "-api-key", "k".
	DevHostArgs []string
	DemoArgs    []string
}

// Stack is a running dev host (with its plugin) and demo API.
type Stack struct {
	// DevHostURL is the dev host's base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
	DevHostURL string
	// DemoURL is the demo API's base URL, or "" with SkipDemo.
	DemoURL string
	// PluginPID, DevHostPID and DemoPID (0 with SkipDemo) are the processes' PIDs, e.g. for /proc/<pid>/status
	// (VmHWM) in memory benchmarks or to pin them to CPUs.
	PluginPID, DevHostPID, DemoPID int
	// PluginPath is the plugin binary the dev host runs, e.g. to read its build info.
	PluginPath string
	// Client has no overall timeout so streaming tests can read slowly; requests made through Do time out.
	Client *http.Client

	t           testing.TB
	credentials map[string]credential
	devHostLog  string
}

// Start builds what is needed (once per test binary), starts the demo API and the dev host, waits until both
// listen and registers their shutdown with t.Cleanup. Any failure ends the test.
func Start(t testing.TB, opts Options) *Stack {
	t.Helper()
	if opts.PluginPackage == "" {
		opts.PluginPackage = DefaultPluginPackage
	}
	if opts.PluginID == "" {
		opts.PluginID = DefaultPluginID
	}
	if opts.Users == "" {
		opts.Users = DefaultUsers
	}
	creds, err := parseCredentials(opts.Users)
	if err != nil {
		t.Fatalf("harness: users: %v", err)
	}

	pluginBin := build(t, opts.PluginPackage)
	devHostBin := build(t, "./cmd/devhost")
	var demoBin string
	if !opts.SkipDemo {
		demoBin = build(t, "./cmd/demoapi")
	}
	baseEnv := withoutRaceExitSleep(os.Environ())

	dir := t.TempDir()
	s := &Stack{
		t:           t,
		credentials: creds,
		Client:      &http.Client{},
		PluginPath:  pluginBin,
		devHostLog:  filepath.Join(dir, "devhost.log"),
	}
	if !opts.SkipDemo {
		s.DemoURL, s.DemoPID = startProcess(t, processSpec{
			name:       "demoapi",
			path:       demoBin,
			args:       append([]string{"-addr", "127.0.0.1:0"}, opts.DemoArgs...),
			env:        baseEnv,
			logPath:    filepath.Join(dir, "demoapi.log"),
			readyLine:  "demoapi listening on ",
			raceReport: true,
		})
	}

	provisioning := filepath.Join(dir, "datasources.yaml")
	users := filepath.Join(dir, "users.yaml")
	writeFile(t, provisioning, opts.Provisioning)
	writeFile(t, users, opts.Users)
	env := append(baseEnv, "DEMO_URL="+s.DemoURL)
	for k, v := range opts.Env {
		env = append(env, k+"="+v)
	}
	args := append([]string{
		"-plugin", pluginBin, "-plugin-id", opts.PluginID, "-provisioning", provisioning, "-users", users,
		"-addr", "127.0.0.1:0",
	}, opts.DevHostArgs...)
	s.DevHostURL, s.DevHostPID = startProcess(t, processSpec{
		name:       "devhost",
		path:       devHostBin,
		args:       args,
		env:        env,
		logPath:    s.devHostLog,
		readyLine:  "devhost listening on ",
		raceReport: true,
	})
	s.PluginPID = s.pluginPID()
	return s
}

// With returns the same stack reporting to t, for use inside subtests (a test may only fail itself from its own
// goroutine).
func (s *Stack) With(t testing.TB) *Stack {
	c := *s
	c.t = t
	return &c
}

// URL returns the dev host URL of path (which starts with "/").
func (s *Stack) URL(path string) string { return s.DevHostURL + path }

// DevHostLog returns the dev host's log so far, including the plugin's log lines.
func (s *Stack) DevHostLog() string {
	b, _ := os.ReadFile(s.devHostLog)
	return string(b)
}

// requestTimeout bounds each Do; streaming tests that need longer use Client directly.
const requestTimeout = 60 * time.Second

// Do sends a request to the dev host as user (a login of the users YAML; "" sends no credentials) and returns the
// response with its whole body read (resp.Body can be read again). body may be nil, []byte, string, io.Reader,
// or anything else, which is sent as JSON with Content-Type application/json unless headers set one.
func (s *Stack) Do(method, path, user string, body any, headers map[string]string) (*http.Response, []byte) {
	s.t.Helper()
	reader, isJSON, err := requestBody(body)
	if err != nil {
		s.t.Fatalf("harness: %s %s: body: %v", method, path, err)
	}
	req, err := http.NewRequest(method, s.URL(path), reader)
	if err != nil {
		s.t.Fatalf("harness: %s %s: %v", method, path, err)
	}
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if user != "" {
		c, ok := s.credentials[user]
		if !ok {
			s.t.Fatalf("harness: no user %q in the users YAML", user)
		}
		c.apply(req)
	}
	client := *s.Client
	client.Timeout = requestTimeout
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("harness: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("harness: %s %s: reading body: %v", method, path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, b
}

// Request builds a request to the dev host as user, for tests that need the raw response (streaming, cancel).
func (s *Stack) Request(method, path, user string, body io.Reader) *http.Request {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL(path), body)
	if err != nil {
		s.t.Fatalf("harness: %s %s: %v", method, path, err)
	}
	if user != "" {
		c, ok := s.credentials[user]
		if !ok {
			s.t.Fatalf("harness: no user %q in the users YAML", user)
		}
		c.apply(req)
	}
	return req
}

func requestBody(body any) (io.Reader, bool, error) {
	switch b := body.(type) {
	case nil:
		return nil, false, nil
	case []byte:
		return bytes.NewReader(b), false, nil
	case string:
		return strings.NewReader(b), false, nil
	case io.Reader:
		return b, false, nil
	default:
		raw, err := json.Marshal(b)
		return bytes.NewReader(raw), true, err
	}
}

// pluginPID reads the plugin's PID from the dev host's /api/devhost/plugin.
func (s *Stack) pluginPID() int {
	resp, body := s.Do("GET", "/api/devhost/plugin", "", nil, nil)
	var info struct {
		PID int `json:"pid"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &info) != nil || info.PID <= 0 {
		s.t.Fatalf("harness: /api/devhost/plugin: %d %s", resp.StatusCode, body)
	}
	return info.PID
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("harness: %v", err)
	}
}

// withoutRaceExitSleep sets GORACE's atexit_sleep_ms to 0 for the children (and the plugin, which inherits the
// dev host's environment). A binary built with -race otherwise sleeps 1 s when it exits, so that other threads can
// finish a report; the dev host waits for its plugin, the harness for both, and every stack took 3 s to stop. Races
// during a test are reported as before; only one in a goroutine still running at exit could now go unreported.
func withoutRaceExitSleep(env []string) []string {
	out := make([]string, 0, len(env)+1)
	gorace := "atexit_sleep_ms=0"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GORACE="); ok {
			gorace = strings.TrimSpace(v + " " + gorace) // the last setting of an option wins
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GORACE="+gorace)
}
