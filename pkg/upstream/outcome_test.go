package upstream

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
)

func TestOutcomePolicy(t *testing.T) {
	for _, tc := range []struct {
		upstream, caller int
		code             string
	}{{200, 200, ""}, {304, 200, ""}, {400, 400, "upstream_error"}, {401, 502, "upstream_unauthorized"},
		{403, 403, "upstream_error"}, {404, 404, "upstream_error"}, {407, 502, "upstream_unauthorized"},
		{429, 429, "upstream_error"}, {500, 502, "upstream_error"}, {503, 502, "upstream_error"}} {
		if got := CallerStatus(tc.upstream); got != tc.caller {
			t.Errorf("CallerStatus(%d) = %d, want %d", tc.upstream, got, tc.caller)
		}
		if tc.upstream < 400 {
			continue
		}
		e := StatusError(tc.upstream, "GET /x", "snippet")
		if e.Status != tc.caller || e.Code != tc.code || e.UpstreamStatus != tc.upstream || e.Source != apierr.SourceDownstream ||
			!strings.Contains(e.Message, "GET /x") || !strings.HasSuffix(e.Message, ": snippet") {
			t.Errorf("StatusError(%d) = %+v", tc.upstream, e)
		}
	}
}

func TestCallErrorKeepsTheGatesOwnError(t *testing.T) {
	own := apierr.New(http.StatusTooManyRequests, "rate_limited", "slow down")
	denied := newError(KindDenied, "", own, "%s", own.Error())
	if e := CallError(denied, ""); e.Status != http.StatusTooManyRequests || e.Code != "rate_limited" {
		t.Fatalf("denial: %+v", e)
	}
	if e := CallError(context.DeadlineExceeded, "reading: "); e.Status != http.StatusGatewayTimeout || e.Code != "upstream_timeout" ||
		!strings.HasPrefix(e.Message, "reading: ") {
		t.Fatalf("timeout: %+v", e)
	}
}

// Target is the proxy's URL: the caller's raw query kept as sent unless
// fixed parameters apply, which win over a caller's value of the same name.
func TestTarget(t *testing.T) {
	base, _ := url.Parse("https://api.example/base")
	s := &settings.Upstream{URL: base}
	c := &Client{settings: s, base: base}
	u, err := c.Target("/a b/ü", "z=1&a=%2F")
	if err != nil || u.String() != "https://api.example/base/a%20b/%C3%BC?z=1&a=%2F" {
		t.Fatalf("no fixed parameters: %v %v", u, err)
	}
	s.Proxy.QueryParams = map[string]string{"tenant": "t1"}
	if u, err = c.Target("/x", "tenant=evil&b=2"); err != nil || u.RawQuery != "b=2&tenant=t1" {
		t.Fatalf("fixed parameters: %v %v", u, err)
	}
	if _, err = c.Target("/x", "a=%zz"); CallError(err, "").Code != "bad_query" || CallError(err, "").Status != 400 {
		t.Fatalf("malformed query: %v", err)
	}
	if _, err = c.Target("/a/../b", ""); CallError(err, "").Code != "bad_path" || CallError(err, "").Source != apierr.SourcePlugin {
		t.Fatalf("ambiguous path: %+v", CallError(err, ""))
	}
}

// Set.Lookup is the one place a name becomes an upstream: the default one
// answers to "", "default" and "_default"; an unknown name is a 400 that
// lists the names there are.
func TestSetLookup(t *testing.T) {
	mk := func(name string) *Client { return &Client{settings: &settings.Upstream{Name: name}} }
	def, a := mk(""), mk("billing")
	set := NewSet(def, a)
	for _, name := range []string{"", "default", "_default"} {
		if c, err := set.Lookup(name); c != def || err != nil {
			t.Errorf("Lookup(%q) = %v, %v", name, c, err)
		}
	}
	if c, err := set.Lookup("billing"); c != a || err != nil {
		t.Errorf("Lookup(billing) = %v, %v", c, err)
	}
	_, err := set.Lookup("ghost")
	if err == nil || err.Status != 400 || err.Code != "unknown_upstream" || !strings.Contains(err.Message, `no upstream named "ghost" (jsonData.upstreams: default, billing)`) {
		t.Errorf("Lookup(ghost) = %+v", err)
	}
	if set.Named("") != nil || set.Named("default") != nil || set.Named("billing") != a || set.Default() != def || len(set.All()) != 2 {
		t.Error("Named, Default or All")
	}
}
