package upstream

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// redirector serves /to?u=<target>&code=<status> (redirect to target),
// /hop/<n> (n same-origin redirects, then echo) and echoes everything else.
func redirector() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if code == 0 {
			code = http.StatusFound
		}
		target := r.URL.Query().Get("u")
		if r.URL.Query().Get("echoQuery") != "" { // an upstream that leaks its query into Location
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, code)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			echoHandler(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/", echoHandler)
	return mux
}

func redirectReq(t *testing.T, c *Client, ctx context.Context, target string, extra url.Values) *http.Request {
	t.Helper()
	q := url.Values{"u": {target}}
	for k, v := range extra {
		q[k] = v
	}
	req, err := c.NewRequest(ctx, http.MethodGet, "/to", q, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return req
}

func TestRedirectPolicy(t *testing.T) {
	a := newServer(t, redirector())
	b := newServer(t, http.HandlerFunc(echoHandler))
	bHost := b.Listener.Addr().String()
	_, bPort, _ := net.SplitHostPort(bHost)

	t.Run("to cloud metadata", func(t *testing.T) {
		for _, allowed := range [][]string{nil, {"169.254.169.254"}} {
			c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": allowed}}})
			e := doErr(t, c, redirectReq(t, c, context.Background(), "http://169.254.169.254/latest/meta-data/", nil))
			if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
				t.Errorf("e.Kind = %v, want %v", got, want)
			}
			if !strings.Contains(e.Error(), "upstream redirect refused: upstream address 169.254.169.254 is a link-local or cloud metadata address and is always refused") {
				t.Errorf("%q does not contain %q", e.Error(), "upstream redirect refused: upstream address 169.254.169.254 is a link-local or cloud metadata address and is always refused")
			}
			if got, want := e.Status, http.StatusFound; got != want {
				t.Errorf("e.Status = %v, want %v", got, want)
			}
		}
	})
	t.Run("to loopback when not allowed", func(t *testing.T) {
		// The host is allowed by name, but its address is not.
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{"127.0.0.2:" + bPort}}}})
		e := doErr(t, c, redirectReq(t, c, context.Background(), "http://127.0.0.2:"+bPort+"/", nil))
		if got, want := e.Kind, KindRedirect; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "upstream address 127.0.0.2 is a loopback address; set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs") {
			t.Errorf("%q does not contain %q", e.Error(), "upstream address 127.0.0.2 is a loopback address; set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs")
		}
	})
	t.Run("to another host", func(t *testing.T) {
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": allowLoopback}})
		for _, target := range []string{b.URL + "/x", "http://evil.example.com/", "http://localhost:" + bPort + "/"} {
			e := doErr(t, c, redirectReq(t, c, context.Background(), target, nil))
			if got, want := e.Kind, KindRedirect; !reflect.DeepEqual(got, want) {
				t.Errorf("%s", target+": "+fmt.Sprintf("e.Kind = %v, want %v", got, want))
			}
			if !strings.Contains(e.Error(), "to jsonData.network.allowedHosts") {
				t.Errorf("%s", target+": "+fmt.Sprintf("%q does not contain %q", e.Error(), "to jsonData.network.allowedHosts"))
			}
			if got, want := e.Setting, "jsonData.network.allowedHosts"; !reflect.DeepEqual(got, want) {
				t.Errorf("e.Setting = %v, want %v", got, want)
			}
		}
		e := doErr(t, c, redirectReq(t, c, context.Background(), "file:///etc/passwd", nil))
		if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
	})
	t.Run("to an allowed host strips credentials", func(t *testing.T) {
		jd := map[string]any{"auth": map[string]any{"type": "bearer"}, "sendUserHeader": true, "httpHeaderName1": "X-Secret",
			"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{bHost}}}
		c := newTestClient(t, cfg{url: a.URL, json: jd, secure: map[string]string{"bearerToken": "tok-r", "httpHeaderValue1": "hdr-r"}})
		ctx := backend.WithUser(context.Background(), &backend.User{Login: "alice"})
		req := redirectReq(t, c, ctx, b.URL+"/landing", nil)
		req.Header.Set("Cookie", "session=1")
		s := doSeen(t, c, req)
		if got, want := s.Path, "/landing"; got != want {
			t.Errorf("s.Path = %v, want %v", got, want)
		}
		for _, h := range []string{"Authorization", "X-Secret", "X-Grafana-User", "Cookie"} {
			if len(s.Header.Get(h)) != 0 {
				t.Errorf("%s", h+": "+fmt.Sprintf("s.Header.Get(h) is not empty: %v", s.Header.Get(h)))
			}
		}

		// Same-origin redirects keep credentials: each hop is judged alone.
		req, err := c.NewRequest(ctx, http.MethodGet, "/hop/2", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		s = doSeen(t, c, req)
		if got, want := s.Path, "/hop/0"; got != want {
			t.Errorf("s.Path = %v, want %v", got, want)
		}
		if got, want := s.Header.Get("Authorization"), "Bearer tok-r"; got != want {
			t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
		}
		if got, want := s.Header.Get("X-Secret"), "hdr-r"; got != want {
			t.Errorf("s.Header.Get(\"X-Secret\") = %v, want %v", got, want)
		}
		if got, want := s.Header.Get("X-Grafana-User"), "alice"; got != want {
			t.Errorf("s.Header.Get(\"X-Grafana-User\") = %v, want %v", got, want)
		}
	})
	t.Run("API key echoed into Location is not passed on", func(t *testing.T) {
		for _, in := range []string{"query", "header"} {
			jd := map[string]any{"auth": map[string]any{"type": "apiKey", "apiKeyName": "api_key", "apiKeyIn": in},
				"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{bHost}}}
			c := newTestClient(t, cfg{url: a.URL, json: jd, secure: map[string]string{"apiKeyValue": "key-r"}})
			s := doSeen(t, c, redirectReq(t, c, context.Background(), b.URL+"/landing", url.Values{"echoQuery": {"1"}}))
			if strings.Contains(s.Query, "key-r") {
				t.Errorf("%s", in+": "+fmt.Sprintf("%q contains %q", s.Query, "key-r"))
			}
			if len(s.Header.Get("api_key")) != 0 {
				t.Errorf("%s", in+": "+fmt.Sprintf("s.Header.Get(\"api_key\") is not empty: %v", s.Header.Get("api_key")))
			}
		}
	})
	t.Run("API key in the query never reaches another host in Referer", func(t *testing.T) {
		// Issue 21 §5: a same-origin redirect that keeps the query (key
		// included), then a redirect to an allowed host: net/http would send
		// the previous hop's URL as Referer.
		keeps := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/start":
				http.Redirect(w, r, "/mid?"+r.URL.RawQuery, http.StatusFound)
			case "/mid":
				if r.Header.Get("Referer") != "" {
					t.Errorf("a same-origin hop carried Referer %q", r.Header.Get("Referer"))
				}
				http.Redirect(w, r, b.URL+"/landing", http.StatusFound)
			}
		}))
		jd := map[string]any{"auth": map[string]any{"type": "apiKey", "apiKeyName": "api_key", "apiKeyIn": "query"},
			"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{bHost}}}
		c := newTestClient(t, cfg{url: keeps.URL, json: jd, secure: map[string]string{"apiKeyValue": "key-referer"}})
		s := get(t, c, context.Background(), "/start")
		if s.Path != "/landing" || s.Header.Get("Referer") != "" || strings.Contains(fmt.Sprint(s.Header), "key-referer") {
			t.Errorf("landed on %s with headers %v", s.Path, s.Header)
		}
	})
	t.Run("too many hops", func(t *testing.T) {
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "maxRedirects": 2}}})
		if got, want := get(t, c, context.Background(), "/hop/2").Path, "/hop/0"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/hop/2\").Path = %v, want %v", got, want)
		}
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/hop/3", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindRedirect; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if got, want := e.Setting, "jsonData.network.maxRedirects"; got != want {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
		if got, want := e.Error(), "upstream redirected more than 2 times; raise jsonData.network.maxRedirects to follow more"; got != want {
			t.Errorf("e.Error() = %v, want %v", got, want)
		}
	})
	t.Run("307 re-sends the body to the same origin", func(t *testing.T) {
		c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"network": allowLoopback}})
		req, err := c.NewRequest(context.Background(), http.MethodPost, "/to", url.Values{"u": {"/echo"}, "code": {"307"}}, strings.NewReader("payload"))
		if err != nil {
			t.Fatalf("%v", err)
		}
		s := doSeen(t, c, req)
		if got, want := s.Method, "POST"; got != want {
			t.Errorf("s.Method = %v, want %v", got, want)
		}
		if got, want := s.Path, "/echo"; got != want {
			t.Errorf("s.Path = %v, want %v", got, want)
		}
	})
}

func TestRedirectDowngradeRefused(t *testing.T) {
	b := newServer(t, http.HandlerFunc(echoHandler))
	a := httptest.NewTLSServer(redirector())
	t.Cleanup(a.Close)
	c := newTestClient(t, cfg{url: a.URL,
		json:   map[string]any{"network": map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{b.Listener.Addr().String()}}},
		secure: map[string]string{"tlsCACert": certPEM(a)}})
	e := doErr(t, c, redirectReq(t, c, context.Background(), b.URL+"/", nil))
	if got, want := e.Kind, KindRedirect; !reflect.DeepEqual(got, want) {
		t.Errorf("e.Kind = %v, want %v", got, want)
	}
	if !strings.Contains(e.Error(), "from https to http refused") {
		t.Errorf("%q does not contain %q", e.Error(), "from https to http refused")
	}
}
