package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/settings"
)

// A named upstream's errors name its own settings, not the default upstream's.
func TestNamedUpstreamErrorsNameTheirOwnSettings(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://main.example", JSONData: []byte(`{"upstreams":[
		{"name":"other","url":"https://other.example"},
		{"name":"slow","url":"` + srv.URL + `","timeouts":{"request":"100ms"},"network":{"allowedCIDRs":["127.0.0.1/32"]}}]}`)})
	if err != nil {
		t.Fatalf("%v", err)
	}
	c, err := New(s.DataSource(), s.Lookup("slow"), Options{Logger: log.NewNullLogger()})
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(c.Close)
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	e := doErr(t, c, req)
	if got, want := e.Kind, KindTimeout; !reflect.DeepEqual(got, want) {
		t.Fatalf("e.Kind = %v, want %v", got, want)
	}
	if got, want := e.Setting, "jsonData.upstreams[1].timeouts.request"; got != want {
		t.Fatalf("e.Setting = %v, want %v", got, want)
	}
	if !strings.Contains(e.Error(), "jsonData.upstreams[1].timeouts.request") {
		t.Fatalf("%q does not contain %q", e.Error(), "jsonData.upstreams[1].timeouts.request")
	}
}

// The client's own construction errors for a named upstream name that
// upstream's settings (nothing renames them afterwards).
func TestNamedUpstreamClientErrorsNameTheirOwnSettings(t *testing.T) {
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://main.example",
		JSONData: []byte(`{"upstreams":[{"name":"other","url":"https://other.example"},
			{"name":"tls","url":"https://tls.example"}]}`),
		DecryptedSecureJSONData: map[string]string{"upstreams.tls.tlsCACert": "not pem"}})
	if err != nil {
		t.Fatalf("%v", err)
	}
	_, err = New(s.DataSource(), s.Lookup("tls"), Options{Logger: log.NewNullLogger()})
	es, ok := settings.AsErrors(err)
	if !ok || len(es) != 1 {
		t.Fatalf("want one settings error, got %v", err)
	}
	if got, want := es[0].Field, "secureJsonData.upstreams.tls.tlsCACert"; got != want {
		t.Fatalf("field = %q, want %q", got, want)
	}
	if _, err := newDefault(s, Options{Logger: log.NewNullLogger()}); err != nil {
		t.Fatalf("the default upstream has no CA: %v", err)
	}
}

// namedClient builds the client of the upstream "u", the second of
// jsonData.upstreams, with the given fields (its url included).
func namedClient(t *testing.T, fields string, secure map[string]string, opts Options) *Client {
	t.Helper()
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://main.example",
		JSONData:                []byte(`{"upstreams":[{"name":"other","url":"https://other.example"},{"name":"u",` + fields + `}]}`),
		DecryptedSecureJSONData: secure})
	if err != nil {
		t.Fatalf("%v", err)
	}
	if opts.Logger == nil {
		opts.Logger = log.NewNullLogger()
	}
	c, err := New(s.DataSource(), s.Lookup("u"), opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// Every run-time refusal of a named upstream names that upstream's own
// settings, in the error's Setting and in its text, where it is built.
func TestNamedUpstreamRunTimeErrorsNameTheirOwnSettings(t *testing.T) {
	a := newServer(t, redirector())
	do := func(t *testing.T, c *Client, rel string, q url.Values) *Error {
		t.Helper()
		req, err := c.NewRequest(context.Background(), http.MethodGet, rel, q, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		return doErr(t, c, req)
	}
	check := func(t *testing.T, e *Error, setting, text string) {
		t.Helper()
		if e.Setting != setting {
			t.Errorf("Setting = %q, want %q", e.Setting, setting)
		}
		if !strings.Contains(e.Error(), text) {
			t.Errorf("%q does not contain %q", e.Error(), text)
		}
	}
	t.Run("private address", func(t *testing.T) {
		c := namedClient(t, `"url":"`+a.URL+`"`, nil, Options{})
		e := do(t, c, "/", nil)
		check(t, e, "jsonData.upstreams[1].network.allowPrivateNetworks",
			"set jsonData.upstreams[1].network.allowPrivateNetworks or add it to jsonData.upstreams[1].network.allowedCIDRs")
	})
	t.Run("host not allowed on a redirect", func(t *testing.T) {
		c := namedClient(t, `"url":"`+a.URL+`","network":{"allowedCIDRs":["127.0.0.1/32"]}`, nil, Options{})
		e := do(t, c, "/to", url.Values{"u": {"http://elsewhere.example/"}})
		check(t, e, "jsonData.upstreams[1].network.allowedHosts", "to jsonData.upstreams[1].network.allowedHosts to allow it")
	})
	t.Run("too many redirects", func(t *testing.T) {
		c := namedClient(t, `"url":"`+a.URL+`","network":{"allowedCIDRs":["127.0.0.1/32"],"maxRedirects":1}`, nil, Options{})
		e := do(t, c, "/hop/3", nil)
		check(t, e, "jsonData.upstreams[1].network.maxRedirects", "raise jsonData.upstreams[1].network.maxRedirects to follow more")
	})
	t.Run("token endpoint refuses the client", func(t *testing.T) {
		tok := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		}))
		c := namedClient(t, `"url":"`+a.URL+`","network":{"allowedCIDRs":["127.0.0.1/32"],"allowedHosts":["`+tok.Listener.Addr().String()+`"]},
			"auth":{"type":"oauth2","oauth2":{"clientId":"id","tokenUrl":"`+tok.URL+`/token"}}`,
			map[string]string{"upstreams.u.oauth2ClientSecret": "s3cr3t-value-9"}, Options{})
		e := do(t, c, "/", nil)
		check(t, e, "secureJsonData.upstreams.u.oauth2ClientSecret", "answered 401 (invalid_client)")
	})
	// A redirect hop the gate refuses keeps the policy's own words: a
	// data-source field it names is not an upstream's (nothing rewrites it).
	t.Run("gate denial on a redirect hop", func(t *testing.T) {
		gate := func(_ context.Context, _ string, _ *url.URL, rel string) error {
			if rel == "/landing" {
				return errors.New("this request needs more upstream calls than jsonData.query.maxCallsPerRequest allows")
			}
			return nil
		}
		c := namedClient(t, `"url":"`+a.URL+`","network":{"allowedCIDRs":["127.0.0.1/32"]}`, nil, Options{Gate: gate})
		e := do(t, c, "/to", url.Values{"u": {"/landing"}})
		check(t, e, "", "than jsonData.query.maxCallsPerRequest allows")
	})
}
