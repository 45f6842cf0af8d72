package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/settings"
)

const loginPassword = "login-pass-canary-7d1e"

// loginServer is an API with its own login call: POST /login (JSON or form
// body with user and password) answers a token in the JSON body, in
// X-Subject-Token and in the session cookie; everything else wants it back.
type loginServer struct {
	mu       sync.Mutex
	valid    map[string]bool
	logins   atomic.Int32
	lastBody string
	lastHdr  http.Header
	ttl      int
}

func (ls *loginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/login" {
		ls.login(w, r)
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if v := r.Header.Get("X-Auth"); v != "" {
		tok = strings.TrimPrefix(v, "Token ")
	}
	if c, err := r.Cookie("session"); err == nil {
		tok = c.Value
	}
	ls.mu.Lock()
	ok := ls.valid[tok]
	ls.mu.Unlock()
	if !ok {
		http.Error(w, "who are you", http.StatusUnauthorized)
		return
	}
	echoHandler(w, r)
}

func (ls *loginServer) login(w http.ResponseWriter, r *http.Request) {
	var user, pass string
	b := make([]byte, 4096)
	n, _ := r.Body.Read(b)
	body := string(b[:n])
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.NoBody
		q, _ := parseForm(body)
		user, pass = q["user"], q["password"]
	} else {
		var in struct{ User, Password string }
		_ = json.Unmarshal([]byte(body), &in)
		user, pass = in.User, in.Password
	}
	ls.mu.Lock()
	ls.lastBody, ls.lastHdr = body, r.Header.Clone()
	ls.mu.Unlock()
	if user != "relay" || pass != loginPassword {
		http.Error(w, `{"error":"bad password `+pass+`"}`, http.StatusUnauthorized)
		return
	}
	n32 := ls.logins.Add(1)
	tok := fmt.Sprintf("issued-login-token-%d-abcdef", n32)
	ls.mu.Lock()
	ls.valid[tok] = true
	ls.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	http.SetCookie(w, &http.Cookie{Name: "session", Value: tok})
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"auth":{"token":%q,"expiresIn":%d}}`, tok, ls.ttl)
}

func (ls *loginServer) revokeAll() {
	ls.mu.Lock()
	clear(ls.valid)
	ls.mu.Unlock()
}

func parseForm(s string) (map[string]string, error) {
	out := map[string]string{}
	req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(s))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := req.ParseForm(); err != nil {
		return nil, err
	}
	for k := range req.PostForm {
		out[k] = req.PostForm.Get(k)
	}
	return out, nil
}

func newLoginServer(t *testing.T, ttl int) (*loginServer, string) {
	ls := &loginServer{valid: map[string]bool{}, ttl: ttl}
	return ls, newServer(t, ls).URL
}

func loginCfg(u string, auth map[string]any, secure map[string]string) cfg {
	return cfg{url: u + "/api", json: map[string]any{"auth": auth, "network": allowLoopback,
		"headers": []any{map[string]any{"name": "X-Custom", "value": "only-for-the-api"}}}, secure: secure}
}

func jsonLogin() map[string]any {
	return map[string]any{"type": "login", "login": map[string]any{
		"path": "/login", "body": map[string]any{"user": "relay", "password": "{{secure.password}}"},
		"headers": map[string]any{"X-Tenant": "acme"}, "tokenPath": "auth.token", "expiresInPath": "auth.expiresIn"}}
}

func TestLoginOnceForManyRequests(t *testing.T) {
	ls, u := newLoginServer(t, 3600)
	c := newTestClient(t, loginCfg(u, jsonLogin(), map[string]string{"login.password": loginPassword}))
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := get(t, c, context.Background(), "/items")
			if got := s.Header.Get("Authorization"); !strings.HasPrefix(got, "Bearer issued-login-token-") {
				t.Errorf("Authorization = %q", got)
			}
		}()
	}
	wg.Wait()
	if n := ls.logins.Load(); n != 1 {
		t.Errorf("%d logins for 20 concurrent requests, want 1", n)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(ls.lastBody), &body); err != nil || body["password"] != loginPassword || body["user"] != "relay" {
		t.Errorf("login body %q: the {{secure.password}} template was not rendered", ls.lastBody)
	}
	h := ls.lastHdr
	if h.Get("X-Tenant") != "acme" || h.Get("Content-Type") != "application/json" {
		t.Errorf("login headers: %v", h)
	}
	if h.Get("Authorization") != "" || h.Get("X-Custom") != "" {
		t.Errorf("the login call carried the upstream's other credentials: %v", h)
	}
	if note := c.LoginNote(); !strings.Contains(note, "logged in at http://127.0.0.1") || !strings.HasSuffix(note, "/api/login") {
		t.Errorf("LoginNote = %q", note)
	}
}

func TestLoginDroppedOn401(t *testing.T) {
	ls, u := newLoginServer(t, 3600)
	c := newTestClient(t, loginCfg(u, jsonLogin(), map[string]string{"login.password": loginPassword}))
	first := get(t, c, context.Background(), "/items").Header.Get("Authorization")
	ls.revokeAll()
	second := get(t, c, context.Background(), "/items").Header.Get("Authorization") // retried once with a new token
	if first == second || ls.logins.Load() != 2 {
		t.Errorf("after a 401: %d logins, tokens %q then %q", ls.logins.Load(), first, second)
	}
	// At most one drop per 10s: an upstream refusing every token does not
	// turn each request into a login.
	ls.revokeAll()
	for range 3 {
		req, _ := c.NewRequest(context.Background(), http.MethodGet, "/items", nil, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want the upstream's 401", resp.StatusCode)
		}
	}
	if n := ls.logins.Load(); n != 2 {
		t.Errorf("%d logins, want 2: drops are spaced", n)
	}
}

func TestLoginRefreshedBeforeExpiry(t *testing.T) {
	ls, u := newLoginServer(t, 1) // 1s: replaced after 800ms
	c := newTestClient(t, loginCfg(u, jsonLogin(), map[string]string{"login.password": loginPassword}))
	get(t, c, context.Background(), "/items")
	get(t, c, context.Background(), "/items")
	if n := ls.logins.Load(); n != 1 {
		t.Fatalf("%d logins before expiry, want 1", n)
	}
	time.Sleep(900 * time.Millisecond)
	get(t, c, context.Background(), "/items")
	if n := ls.logins.Load(); n != 2 {
		t.Errorf("%d logins after the token's lifetime, want 2", n)
	}
}

func TestLoginExpiryRule(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ lifetime, want time.Duration }{
		{time.Second, 800 * time.Millisecond},              // a fifth early
		{10 * time.Second, 8 * time.Second},                // still a fifth
		{10 * time.Minute, 9*time.Minute + 30*time.Second}, // at most 30s early
		{time.Hour, time.Hour - 30*time.Second},
	} {
		if got := loginExpiry(t0, tc.lifetime).Sub(t0); got != tc.want {
			t.Errorf("lifetime %s: replaced after %s, want %s", tc.lifetime, got, tc.want)
		}
	}
	l := &loginCall{c: &Client{logger: newCaptureLogger()}}
	for _, tc := range []struct {
		path, answer string
		fixed        time.Duration
		want         time.Duration
	}{
		{"auth.expiresIn", `{"auth":{"expiresIn":90}}`, 0, 90 * time.Second},
		{"auth.expiresIn", `{"auth":{"expiresIn":"120"}}`, 0, 2 * time.Minute},
		{"auth.expiresIn", `{"auth":{}}`, 0, 10 * time.Minute}, // missing: the default
		{"", `{}`, 15 * time.Minute, 15 * time.Minute},
		{"", `{}`, 0, 10 * time.Minute},
	} {
		l.cfg = loginSettings(tc.path, tc.fixed)
		if got := l.lifetime([]byte(tc.answer)); got != tc.want {
			t.Errorf("%q in %s (expiresIn %s): %s, want %s", tc.path, tc.answer, tc.fixed, got, tc.want)
		}
	}
}

func TestLoginHeaderFormCookie(t *testing.T) {
	ls, u := newLoginServer(t, 3600)
	auth := map[string]any{"type": "login", "tokenHeader": "X-Auth", "tokenFormat": "Token {{token}}", "login": map[string]any{
		"path": "/login", "contentType": "form", "body": map[string]any{"user": "relay", "password": "{{secure.password}}"},
		"tokenHeader": "X-Subject-Token", "expiresIn": "15m"}}
	c := newTestClient(t, loginCfg(u, auth, map[string]string{"login.password": loginPassword}))
	if got := get(t, c, context.Background(), "/items").Header.Get("X-Auth"); got != "Token issued-login-token-1-abcdef" {
		t.Errorf("X-Auth = %q", got)
	}
	if ct := ls.lastHdr.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("form login sent %q", ct)
	}
	auth = map[string]any{"type": "login", "tokenCookie": "session", "login": map[string]any{
		"path": "/login", "body": map[string]any{"user": "relay", "password": "{{secure.password}}"}, "tokenCookie": "session"}}
	c = newTestClient(t, loginCfg(u, auth, map[string]string{"login.password": loginPassword}))
	s := get(t, c, context.Background(), "/items")
	if got := s.Header.Get("Cookie"); got != "session=issued-login-token-2-abcdef" || s.Header.Get("Authorization") != "" {
		t.Errorf("Cookie = %q, Authorization = %q", got, s.Header.Get("Authorization"))
	}
	ls.revokeAll()
	if got := get(t, c, context.Background(), "/items").Header.Get("Cookie"); got != "session=issued-login-token-3-abcdef" {
		t.Errorf("after a 401 the cookie is %q, want a new login's", got)
	}
}

func TestLoginRefusedIsAClearError(t *testing.T) {
	_, u := newLoginServer(t, 3600)
	logs := newCaptureLogger()
	const wrong = "wrong-password-canary-55"
	c := newTestClient(t, loginCfg(u, jsonLogin(), map[string]string{"login.password": wrong}), Options{Logger: logs})
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "/items", nil, nil)
	e := doErr(t, c, req)
	msg := e.Error()
	if e.Kind != KindAuth || e.Status != http.StatusUnauthorized || !strings.Contains(msg, "login at http://127.0.0.1") ||
		!strings.Contains(msg, "answered 401") || e.Setting != "secureJsonData.login.password" {
		t.Errorf("error: kind %v status %d setting %q: %s", e.Kind, e.Status, e.Setting, msg)
	}
	if strings.Contains(msg, wrong) || strings.Contains(logs.all(), wrong) {
		t.Errorf("the password leaked: %s / %s", msg, logs.all())
	}
}

func TestLoginNoToken(t *testing.T) {
	_, u := newLoginServer(t, 3600)
	auth := jsonLogin()
	auth["login"].(map[string]any)["tokenPath"] = "auth.missing"
	c := newTestClient(t, loginCfg(u, auth, map[string]string{"login.password": loginPassword}))
	req, _ := c.NewRequest(context.Background(), http.MethodGet, "/items", nil, nil)
	if e := doErr(t, c, req); !strings.Contains(e.Error(), `without a token at tokenPath "auth.missing"`) {
		t.Errorf("error: %s", e.Error())
	}
}

func loginSettings(path string, fixed time.Duration) *settings.Login {
	l := &settings.Login{ExpiresInPath: path}
	l.ExpiresIn.Duration = fixed
	return l
}
