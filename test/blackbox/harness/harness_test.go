package harness_test

import (
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// The Relay plugin is not needed to test the harness: the dev host's echo plugin stands in for it.
const echoPlugin = "./cmd/devhost/testdata/echoplugin"

const provisioning = `
apiVersion: 1
datasources:
  - name: Echo
    type: relay-gateway-datasource
    uid: echo
    url: $DEMO_URL
    secureJsonData:
      apiKey: $HARNESS_SECRET
`

type echo struct {
	User struct {
		Login string `json:"Login"`
		Role  string `json:"Role"`
	} `json:"user"`
	Headers    map[string][]string `json:"headers"`
	BodyLength int                 `json:"bodyLength"`
	Datasource struct {
		URL           string         `json:"url"`
		SecretLengths map[string]int `json:"secretLengths"`
	} `json:"datasource"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return v
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs binaries")
	}
}

func TestStartWithoutDemo(t *testing.T) {
	skipShort(t)
	t.Setenv("GORACE", "halt_on_error=1") // the children keep it, with the exit sleep turned off
	s := harness.Start(t, harness.Options{
		Provisioning:  provisioning,
		PluginPackage: echoPlugin,
		SkipDemo:      true,
		// Env wins over the harness's own $DEMO_URL (empty with SkipDemo); see the provisioning subtest.
		Env: map[string]string{"HARNESS_SECRET": "twelve-chars", "HARNESS_PROBE": "probe-value", "DEMO_URL": "http://127.0.0.1:9"},
	})
	if s.DemoURL != "" || s.DemoPID != 0 || !strings.HasPrefix(s.DevHostURL, "http://127.0.0.1:") || s.PluginPID <= 0 {
		t.Fatalf("stack: %+v", s)
	}
	if ppid := parentPID(t, s.PluginPID); runtime.GOOS == "linux" && ppid != s.DevHostPID {
		t.Errorf("plugin's parent is %d, DevHostPID %d", ppid, s.DevHostPID)
	}

	t.Run("users and tokens", func(t *testing.T) {
		s := s.With(t)
		for login, role := range map[string]string{"admin": "Admin", "editor": "Editor", "viewer": "Viewer", "none": "None", "robot": "Editor"} {
			resp, body := s.Do("GET", "/api/datasources/uid/echo/resources/who", login, nil, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", login, resp.StatusCode, body)
			}
			if e := decode[echo](t, body); e.User.Login != login || e.User.Role != role {
				t.Errorf("%s: user %+v", login, e.User)
			}
		}
		if resp, body := s.Do("GET", "/api/datasources/uid/echo/resources/who", "", nil, nil); resp.StatusCode != 401 {
			t.Errorf("no credentials: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("bodies and headers", func(t *testing.T) {
		s := s.With(t)
		resp, body := s.Do("POST", "/api/datasources/uid/echo/resources/body", "editor", map[string]int{"n": 1}, map[string]string{"X-Test": "yes"})
		e := decode[echo](t, body)
		if resp.StatusCode != 200 || e.BodyLength != len(`{"n":1}`) || e.Headers["Content-Type"][0] != "application/json" || e.Headers["X-Test"][0] != "yes" {
			t.Errorf("JSON body: %d %s", resp.StatusCode, body)
		}
		_, body = s.Do("PUT", "/api/datasources/uid/echo/resources/body", "editor", "plain text", nil)
		if e := decode[echo](t, body); e.BodyLength != len("plain text") {
			t.Errorf("string body: %s", body)
		}
		// The response body can be read again from resp.Body.
		resp, body = s.Do("GET", "/api/health", "", nil, nil)
		again := make([]byte, len(body)+1)
		if n, _ := resp.Body.Read(again); string(again[:n]) != string(body) {
			t.Errorf("resp.Body re-read %q, want %q", again[:n], body)
		}
	})

	t.Run("environment and provisioning reach the plugin", func(t *testing.T) {
		s := s.With(t)
		_, body := s.Do("GET", "/api/datasources/uid/echo/resources/env?name=HARNESS_PROBE", "viewer", nil, nil)
		if v := decode[map[string]any](t, body)["value"]; v != "probe-value" {
			t.Errorf("HARNESS_PROBE = %v", v)
		}
		_, body = s.Do("GET", "/api/datasources/uid/echo/resources/env?name=GORACE", "viewer", nil, nil)
		if v := decode[map[string]any](t, body)["value"]; v != "halt_on_error=1 atexit_sleep_ms=0" {
			t.Errorf("GORACE = %v", v)
		}
		_, body = s.Do("GET", "/api/datasources/uid/echo/resources/x", "viewer", nil, nil)
		if e := decode[echo](t, body); e.Datasource.SecretLengths["apiKey"] != len("twelve-chars") || e.Datasource.URL != "http://127.0.0.1:9" {
			t.Errorf("settings: %s", body)
		}
	})

	t.Run("plugin memory is readable by PID", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("/proc is Linux-only")
		}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PluginPID))
		if err != nil || !strings.Contains(string(status), "VmHWM:") {
			t.Errorf("/proc/%d/status: %v", s.PluginPID, err)
		}
	})

	t.Run("raw requests for streaming tests", func(t *testing.T) {
		s := s.With(t)
		resp, err := s.Client.Do(s.Request("GET", "/api/datasources/uid/echo/resources/raw", "viewer", nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func TestCleanupStopsEverything(t *testing.T) {
	skipShort(t)
	if runtime.GOOS != "linux" {
		t.Skip("checks PIDs the Linux way")
	}
	var pid int
	var url string
	t.Run("stack", func(t *testing.T) {
		s := harness.Start(t, harness.Options{Provisioning: provisioning, PluginPackage: echoPlugin, SkipDemo: true})
		pid, url = s.PluginPID, s.DevHostURL
	})
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("plugin %d still exists after cleanup (kill 0: %v)", pid, err)
	}
	if resp, err := http.Get(url + "/api/health"); err == nil {
		resp.Body.Close()
		t.Errorf("dev host still answers at %s", url)
	}
}

func TestStartWithDemo(t *testing.T) {
	skipShort(t)
	s := harness.Start(t, harness.Options{Provisioning: provisioning, PluginPackage: echoPlugin,
		Env: map[string]string{"HARNESS_SECRET": "x"}})
	if !strings.HasPrefix(s.DemoURL, "http://127.0.0.1:") {
		t.Fatalf("DemoURL %q", s.DemoURL)
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", s.DemoPID)); runtime.GOOS == "linux" && (err != nil || strings.TrimSpace(string(comm)) != "demoapi") {
		t.Errorf("DemoPID %d is %q (%v)", s.DemoPID, comm, err)
	}
	_, body := s.Do("GET", "/api/datasources/uid/echo/resources/x", "viewer", nil, nil)
	if e := decode[echo](t, body); e.Datasource.URL != s.DemoURL {
		t.Errorf("$DEMO_URL not expanded: url %q, demo %q", e.Datasource.URL, s.DemoURL)
	}
	resp, err := http.Get(s.DemoURL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("demo /health: %d", resp.StatusCode)
	}
}

// parentPID reads a process's parent from /proc/<pid>/stat.
func parentPID(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])) // state, ppid, ...
	var ppid int
	if len(fields) < 2 {
		t.Fatalf("stat %q", b)
	}
	if _, err := fmt.Sscan(fields[1], &ppid); err != nil {
		t.Fatalf("stat %q: %v", b, err)
	}
	return ppid
}

// The Relay plugin the harness runs carries package.json's version twice, as a release does: in its build info
// (the SDK's ldflags) and in the plugin.json beside it, which the dev host, like Grafana, hands to the plugin.
func TestRelayPluginCarriesThePackageVersion(t *testing.T) {
	skipShort(t)
	root, err := harness.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := harness.ReadVersion(root)
	if err != nil {
		t.Fatal(err)
	}
	s := harness.Start(t, harness.Options{SkipDemo: true, Provisioning: `
apiVersion: 1
datasources:
  - {name: Relay, type: relay-gateway-datasource, uid: relay, url: "http://127.0.0.1:9"}
`})
	resp, body := s.Do("GET", "/api/datasources/uid/relay/resources/info", "viewer", nil, nil)
	var info struct {
		Plugin struct{ Version string } `json:"plugin"`
	}
	if err := json.Unmarshal(body, &info); err != nil || resp.StatusCode != 200 || info.Plugin.Version != want {
		t.Errorf("/info: %d, plugin.version %q, want %q (%v)", resp.StatusCode, info.Plugin.Version, want, err)
	}
	bi, err := buildinfo.ReadFile(s.PluginPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, setting := range bi.Settings {
		if setting.Key == "-ldflags" {
			if !strings.Contains(setting.Value, `buildInfoJSON={"pluginID":"relay-gateway-datasource","version":"`+want+`"}`) {
				t.Errorf("-ldflags %s: no build info for version %s", setting.Value, want)
			}
			return
		}
	}
	t.Errorf("%s was built without -ldflags", s.PluginPath)
}
