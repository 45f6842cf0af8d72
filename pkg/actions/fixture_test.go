package actions_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"go.uber.org/goleak"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// secret is the upstream bearer token; no response may contain it.
const secret = "upstream-bearer-secret-5d1e"

// The raw API key of the fixture's "ops" key.
const opsKey = "ops-key-for-tests"

// seen is one request the fake upstream received.
type seen struct {
	Method, EscapedPath, Path, RawQuery, Body string
	Header                                    http.Header
}

// fakeUpstream records requests; /status/{code} answers with that status,
// /big with 2 MiB of JSON, everything else echoes the request as JSON.
type fakeUpstream struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []seen
	// hold, when set, delays every answer until closed.
	hold chan struct{}
}

func newUpstream(t *testing.T) *fakeUpstream {
	u := &fakeUpstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.Path, r.URL.RawQuery, string(body), r.Header.Clone()})
		hold := u.hold
		u.mu.Unlock()
		if hold != nil {
			<-hold
		}
		var code int
		if _, err := fmt.Sscanf(r.URL.Path, "/v1/status/%d", &code); err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Set-Cookie", "upstream=1")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"upstream":%d}`, code)
			return
		}
		if r.URL.Path == "/v1/big" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`"` + strings.Repeat("x", 2<<20) + `"`))
			return
		}
		if r.URL.Path == "/v1/binary" {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte{0xff, 0xfe, 0x00, 0x01})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/v1/things/1")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"path": r.URL.EscapedPath(), "query": r.URL.RawQuery, "body": string(body)})
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *fakeUpstream) requests() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.reqs...)
}

type fixture struct {
	t       *testing.T
	handler backend.CallResourceHandler
	inst    *plugintest.Instance
	now     *time.Time
	nowMu   *sync.Mutex
}

const fixtureActions = `[
	{"name":"create","title":"Create a thing","method":"POST","path":"/things","minRole":"Editor",
	 "body":{"name":"{{name}}","count":"{{count}}","ratio":"{{ratio}}","on":"{{on}}","label":"item {{name}} x{{count}}",
	         "nested":{"list":["{{name}}","{{missing}}",1]},"fixed":true},
	 "params":[{"name":"name","type":"string","required":true,"min":1,"max":40},
	           {"name":"count","type":"integer","min":0,"max":10,"default":1},
	           {"name":"ratio","type":"number","min":0,"max":1},
	           {"name":"on","type":"boolean"},
	           {"name":"missing","type":"string"}]},
	{"name":"get","method":"GET","path":"/things/{id}/parts/{part}","minRole":"Viewer",
	 "query":{"q":"{{q}}","fixed":"yes","both":"{{q}}-{{id}}"},
	 "params":[{"name":"id","type":"string"},{"name":"part","type":"string"},{"name":"q","type":"string"}]},
	{"name":"kind","method":"GET","path":"/kinds/{kind}","minRole":"Viewer",
	 "params":[{"name":"kind","type":"string","enum":["a","b"]},
	           {"name":"code","type":"string","pattern":"^[A-Z]{3}$"},
	           {"name":"n","type":"number","enum":[1,2.5]}]},
	{"name":"delete","method":"DELETE","path":"/things/{id}","minRole":"Editor","apiKeyRequired":true,
	 "params":[{"name":"id","type":"integer","min":1}]},
	{"name":"admin-only","method":"POST","path":"/admin","minRole":"Admin"},
	{"name":"params-body","method":"PUT","path":"/things","params":[{"name":"a","type":"string"},{"name":"b","type":"integer"}]},
	{"name":"status","method":"GET","path":"/status/{code}","minRole":"Viewer","params":[{"name":"code","type":"integer"}]},
	{"name":"big","method":"GET","path":"/big","minRole":"Viewer"},
	{"name":"binary","method":"GET","path":"/binary","minRole":"Viewer"}
]`

func keyHash(salt, key string) string {
	h := authz.HashKey([]byte(salt), key)
	return "sha256:" + hex.EncodeToString([]byte(salt)) + ":" + hex.EncodeToString(h[:])
}

func newFixture(t *testing.T, u *fakeUpstream) *fixture {
	t.Helper()
	jsonData := `{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true},
		"proxy":{"queryParams":{"tenant":"t1"}},
		"apiKeys":[{"name":"ops","scopes":["action:delete"]}],"actions":` + fixtureActions + `}`
	f := &fixture{t: t, now: new(time.Time), nowMu: &sync.Mutex{}}
	*f.now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.inst = plugintest.New(t, plugintest.Config{URL: u.srv.URL + "/v1", JSONData: jsonData,
		Secure: map[string]string{"bearerToken": secret, "apiKeyHash.ops": keyHash("salt-0123456789", opsKey)},
		Now: func() time.Time {
			f.nowMu.Lock()
			defer f.nowMu.Unlock()
			return *f.now
		}})
	f.handler = f.inst
	return f
}

// auditEntries reads the audit ring as an Admin does (GET /audit).
func (f *fixture) auditEntries() []authz.AuditEntry {
	f.t.Helper()
	r := f.inst.Call(resourcetest.Request{Path: "audit", Role: "Admin"})
	var out struct{ Entries []authz.AuditEntry }
	if err := json.Unmarshal(r.Body, &out); r.Status != 200 || err != nil {
		f.t.Fatalf("audit: %d %s %v", r.Status, r.Body, err)
	}
	return out.Entries
}

func (f *fixture) advance(d time.Duration) {
	f.nowMu.Lock()
	*f.now = f.now.Add(d)
	f.nowMu.Unlock()
}

// run posts {"params": params} to the action as a user of roleName.
func (f *fixture) run(name, roleName string, params any, headers map[string]string) *resourcetest.Response {
	f.t.Helper()
	body, err := json.Marshal(map[string]any{"params": params})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.raw("actions/"+name, roleName, body, headers)
}

func (f *fixture) raw(path, roleName string, body []byte, headers map[string]string) *resourcetest.Response {
	f.t.Helper()
	h := map[string][]string{}
	for k, v := range headers {
		h[http.CanonicalHeaderKey(k)] = []string{v} // as Grafana sends them
	}
	r := resourcetest.Call(f.handler, resourcetest.Request{Method: "POST", Path: path, Role: roleName, Body: body, Headers: h})
	if strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), opsKey) {
		f.t.Fatalf("a secret leaked into the response: %s", r.Body)
	}
	return r
}
