package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeBuilds writes the smallest frontend and shell builds the dev host accepts.
func fakeBuilds(t *testing.T) (frontend, shell string) {
	t.Helper()
	frontend, shell = t.TempDir(), t.TempDir()
	files := map[string]string{
		filepath.Join(frontend, "module.js"):   "define([], function () { return {}; });",
		filepath.Join(frontend, "plugin.json"): `{"id": "relay-gateway-datasource", "type": "datasource", "name": "Relay"}`,
		filepath.Join(shell, "playground.js"):  "// shell",
		filepath.Join(shell, "fonts", "f.txt"): "font",
	}
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return frontend, shell
}

// browser is a cookie-keeping client that does not follow redirects, so tests see them.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func send(t *testing.T, c *http.Client, method, url string, body []byte, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

var bootDataLine = regexp.MustCompile(`window\.grafanaBootData = (.*);</script>`)

func bootDataOf(t *testing.T, page []byte) map[string]any {
	t.Helper()
	m := bootDataLine.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no boot data in %s", page)
	}
	return decode[map[string]any](t, m[1])
}

func TestPlaygroundAbsentByDefault(t *testing.T) {
	d := startDevHost(t)
	resp, body := d.do(t, "GET", "/", "", nil, nil)
	wantStatus(t, resp, body, 404)
	if !strings.Contains(string(body), "-frontend and -playground") {
		t.Errorf("404 does not say how to get the playground: %s", body)
	}
}

func TestPlaygroundSessions(t *testing.T) {
	frontend, shell := fakeBuilds(t)
	d := startDevHost(t, "-frontend", frontend, "-playground", shell)
	c := browser(t)
	login := func(user, password string) (*http.Response, []byte) {
		return send(t, c, "POST", d.url+"/login", []byte(`{"user":"`+user+`","password":"`+password+`"}`), nil)
	}

	t.Run("signed out: / goes to the login page, whose boot data has no user and no data source", func(t *testing.T) {
		resp, body := send(t, c, "GET", d.url+"/", nil, nil)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "/login" {
			t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = send(t, c, "GET", d.url+"/login", nil, nil)
		wantStatus(t, resp, body, 200)
		boot := bootDataOf(t, body)
		if boot["user"].(map[string]any)["isSignedIn"] != false || len(boot["settings"].(map[string]any)["datasources"].(map[string]any)) != 0 {
			t.Errorf("signed-out boot data: %v", boot)
		}
		resp, body = send(t, c, "GET", d.url+"/api/datasources/uid/echo", nil, nil)
		wantStatus(t, resp, body, 401)
	})

	t.Run("a wrong password gets 401 and no session", func(t *testing.T) {
		resp, body := login("viewer", "nope")
		wantJSONMessage(t, resp, body, 401, msgBadCredentials)
		if len(resp.Cookies()) != 0 {
			t.Errorf("cookies on a failed login: %v", resp.Cookies())
		}
	})

	t.Run("signed in as viewer: boot data names the role, the data sources have no secrets", func(t *testing.T) {
		resp, body := login("viewer", testPasswords["viewer"])
		wantJSONMessage(t, resp, body, 200, "Logged in")
		cookie := resp.Cookies()[0]
		if cookie.Name != sessionCookie || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
			t.Errorf("session cookie: %+v", cookie)
		}
		resp, body = send(t, c, "GET", d.url+"/", nil, nil)
		wantStatus(t, resp, body, 200)
		boot := bootDataOf(t, body)
		if u := boot["user"].(map[string]any); u["login"] != "viewer" || u["orgRole"] != "Viewer" || u["isSignedIn"] != true {
			t.Errorf("user: %v", u)
		}
		echo := boot["settings"].(map[string]any)["datasources"].(map[string]any)["Echo"].(map[string]any)
		if echo["uid"] != "echo" || echo["meta"].(map[string]any)["module"] != "public/plugins/relay-gateway-datasource/module.js" {
			t.Errorf("Echo: %v", echo)
		}
		noSecret(t, d, body, testSecret)
		if strings.Contains(string(body), "apiKey") {
			t.Error("the page names a secure field")
		}
		// The session authenticates API calls; the viewer still may not save.
		resp, body = send(t, c, "GET", d.url+"/api/datasources/uid/echo", nil, nil)
		wantStatus(t, resp, body, 200)
		resp, body = send(t, c, "PUT", d.url+"/api/datasources/uid/echo", []byte(`{"name":"Echo"}`), nil)
		wantJSONMessage(t, resp, body, 403, msgNeedsWrite)
	})

	t.Run("an Admin's session saves only from a page of this host", func(t *testing.T) {
		resp, body := login("admin", testPasswords["admin"])
		wantStatus(t, resp, body, 200)
		save := []byte(`{"name":"Echo","url":"http://upstream.invalid","jsonData":{"fromPlayground":true}}`)
		resp, body = send(t, c, "PUT", d.url+"/api/datasources/uid/echo", save, http.Header{"Origin": {"http://evil.example"}})
		wantJSONMessage(t, resp, body, 403, "origin not allowed")
		resp, body = send(t, c, "PUT", d.url+"/api/datasources/uid/echo", save, http.Header{"Origin": {d.url}})
		wantStatus(t, resp, body, 200)
		// Basic auth is not a browser's ambient credential: no Origin check there.
		resp, body = d.do(t, "PUT", "/api/datasources/uid/echo", "admin", save, http.Header{"Origin": {"http://evil.example"}})
		wantStatus(t, resp, body, 200)
	})

	t.Run("logout ends the session", func(t *testing.T) {
		resp, _ := send(t, c, "GET", d.url+"/logout", nil, nil)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "/login" {
			t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body := send(t, c, "GET", d.url+"/api/datasources/uid/echo", nil, nil)
		wantStatus(t, resp, body, 401)
	})

	t.Run("static files at Grafana's paths, nothing outside the builds", func(t *testing.T) {
		resp, body := send(t, c, "GET", d.url+"/public/plugins/relay-gateway-datasource/module.js", nil, nil)
		wantStatus(t, resp, body, 200)
		if !strings.HasPrefix(string(body), "define(") {
			t.Errorf("module.js: %s", body)
		}
		resp, body = send(t, c, "GET", d.url+"/public/build/playground.js", nil, nil)
		wantStatus(t, resp, body, 200)
		resp, body = send(t, c, "GET", d.url+"/public/fonts/f.txt", nil, nil)
		wantStatus(t, resp, body, 200)
		for _, path := range []string{
			"/public/plugins/relay-gateway-datasource/",
			"/public/plugins/relay-gateway-datasource/%2e%2e/%2e%2e/etc/passwd",
			"/public/plugins/other-plugin/module.js",
			"/public/build/../../etc/passwd",
		} {
			resp, body := send(t, c, "GET", d.url+path, nil, nil)
			if resp.StatusCode == 200 {
				t.Errorf("%s: 200 %q", path, body)
			}
		}
	})
}

func TestSessionStoreIsBounded(t *testing.T) {
	s := newSessions()
	u := &user{Login: "a"}
	first, err := s.create(u)
	if err != nil {
		t.Fatal(err)
	}
	for range maxSessions {
		if _, err := s.create(u); err != nil {
			t.Fatal(err)
		}
	}
	req := func(id string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: id})
		return r
	}
	if s.lookup(req(first)) != nil || len(s.byID) != maxSessions {
		t.Errorf("oldest session kept or store unbounded: %d sessions", len(s.byID))
	}
}
