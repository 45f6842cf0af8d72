package upstream

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestRoundTripperWithReverseProxy runs the client under httputil.ReverseProxy
// the way pkg/proxy does: incoming server requests (RequestURI set), auth
// injected, redirects followed only when allowed, errors classifiable.
func TestRoundTripperWithReverseProxy(t *testing.T) {
	a := newServer(t, redirector())
	c := newTestClient(t, cfg{url: a.URL, json: map[string]any{"auth": map[string]any{"type": "bearer"}, "network": allowLoopback},
		secure: map[string]string{"bearerToken": "tok-p"}})

	var proxyErr *Error
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			u, err := JoinPath(c.Base(), pr.In.URL.Path)
			if err != nil {
				t.Fatalf("%v", err)
			}
			u.RawQuery = pr.In.URL.RawQuery
			pr.Out.URL = u
			pr.Out.Host = ""
		},
		Transport: c.RoundTripper(),
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			proxyErr = Classify(err)
			w.WriteHeader(proxyErr.Kind.HTTPStatus())
		},
	}
	front := newServer(t, rp)
	hc := front.Client()

	resp, err := hc.Get(front.URL + "/items?x=1")
	if err != nil {
		t.Fatalf("%v", err)
	}
	var s seen
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
	}
	resp.Body.Close()
	if got, want := s.Path, "/items"; got != want {
		t.Errorf("s.Path = %v, want %v", got, want)
	}
	if got, want := s.Query, "x=1"; got != want {
		t.Errorf("s.Query = %v, want %v", got, want)
	}
	if got, want := s.Header.Get("Authorization"), "Bearer tok-p"; got != want {
		t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
	}

	// An allowed (same-origin) redirect is followed like Do does.
	resp, err = hc.Get(front.URL + "/hop/2")
	if err != nil {
		t.Fatalf("%v", err)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("json.NewDecoder(resp.Body).Decode(&s): %v", err)
	}
	resp.Body.Close()
	if got, want := s.Path, "/hop/0"; got != want {
		t.Errorf("s.Path = %v, want %v", got, want)
	}
	if got, want := s.Header.Get("Authorization"), "Bearer tok-p"; got != want {
		t.Errorf("s.Header.Get(\"Authorization\") = %v, want %v", got, want)
	}

	// A refused one reaches the ErrorHandler as a classifiable *Error.
	resp, err = hc.Get(front.URL + "/to?u=" + url.QueryEscape("http://169.254.169.254/"))
	if err != nil {
		t.Fatalf("%v", err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusBadGateway; got != want {
		t.Errorf("resp.StatusCode = %v, want %v", got, want)
	}
	if proxyErr == nil {
		t.Fatalf("proxyErr is nil")
	}
	if got, want := proxyErr.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
		t.Errorf("proxyErr.Kind = %v, want %v", got, want)
	}
	if !strings.Contains(proxyErr.Error(), "always refused") {
		t.Errorf("%q does not contain %q", proxyErr.Error(), "always refused")
	}

	// The RoundTripper never mutates the proxy's outgoing request.
	in := httptest.NewRequest(http.MethodGet, a.URL+"/api/x", nil)
	in.RequestURI = "/api/x"
	resp, err = c.RoundTripper().RoundTrip(in)
	if err != nil {
		t.Fatalf("%v", err)
	}
	resp.Body.Close()
	if got, want := in.RequestURI, "/api/x"; got != want {
		t.Errorf("in.RequestURI = %v, want %v", got, want)
	}
	if len(in.Header.Get("Authorization")) != 0 {
		t.Errorf("in.Header.Get(\"Authorization\") is not empty: %v", in.Header.Get("Authorization"))
	}
}
