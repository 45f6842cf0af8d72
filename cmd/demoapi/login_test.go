package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func loginPost(t *testing.T, ts *httptest.Server, how, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req := newRequest(t, http.MethodPost, ts.URL+"/login/"+how, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return send(t, ts.Client(), req)
}

func loginGet(t *testing.T, ts *httptest.Server, set func(*http.Request)) int {
	t.Helper()
	req := newRequest(t, http.MethodGet, ts.URL+"/login/data", nil)
	set(req)
	resp, _ := send(t, ts.Client(), req)
	return resp.StatusCode
}

func TestLoginEndpoints(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	ts, _ := newTestAPI(t, func(s *server) { s.now = clock.Now })
	const creds = `{"username":"demo","password":"demo-login-pass"}`

	resp, body := loginPost(t, ts, "json", "application/json", creds)
	checkStatus(t, resp, body, http.StatusOK)
	var out struct {
		Auth struct {
			Token     string `json:"token"`
			ExpiresIn int64  `json:"expiresIn"`
		} `json:"auth"`
	}
	decode(t, body, &out)
	if len(out.Auth.Token) < 20 || out.Auth.ExpiresIn != 600 {
		t.Fatalf("login answer %s", body)
	}
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+out.Auth.Token) }
	if got := loginGet(t, ts, bearer); got != http.StatusOK {
		t.Errorf("with the token: %d", got)
	}

	resp, body = loginPost(t, ts, "header", "application/x-www-form-urlencoded", "username=demo&password=demo-login-pass&ttl=2")
	checkStatus(t, resp, body, http.StatusCreated)
	hdr := resp.Header.Get("X-Subject-Token")
	if got := loginGet(t, ts, func(r *http.Request) { r.Header.Set("X-Subject-Token", hdr) }); hdr == "" || got != http.StatusOK {
		t.Errorf("header token %q: %d", hdr, got)
	}
	clock.Advance(3 * time.Second) // past the asked-for 2s, within the default 10m
	if got := loginGet(t, ts, func(r *http.Request) { r.Header.Set("X-Subject-Token", hdr) }); got != http.StatusUnauthorized {
		t.Errorf("an expired token: %d", got)
	}
	if got := loginGet(t, ts, bearer); got != http.StatusOK {
		t.Errorf("the 10m token after 3s: %d", got)
	}

	resp, body = loginPost(t, ts, "cookie", "application/json", creds)
	checkStatus(t, resp, body, http.StatusOK)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == loginCookie {
			cookie = c
		}
	}
	if cookie == nil || loginGet(t, ts, func(r *http.Request) { r.AddCookie(cookie) }) != http.StatusOK {
		t.Errorf("cookie login: %v", resp.Header)
	}

	resp, body = loginPost(t, ts, "json", "application/json", `{"username":"demo","password":"nope"}`)
	checkAPIError(t, resp, body, http.StatusUnauthorized)
	if strings.Contains(string(body), "nope") {
		t.Errorf("the wrong password is echoed: %s", body)
	}
	var st tokenStats
	get(t, ts, "/login/stats", http.StatusOK, &st)
	if st.TokenRequests != 4 || st.TokensIssued != 3 || st.TokenFailures != 1 {
		t.Errorf("stats %+v", st)
	}
	resp, body = send(t, ts.Client(), newRequest(t, http.MethodPost, ts.URL+"/login/revoke", nil))
	checkStatus(t, resp, body, http.StatusOK)
	if got := loginGet(t, ts, bearer); got != http.StatusUnauthorized {
		t.Errorf("after revoke: %d", got)
	}
}
