package authz

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/role"
)

// The gate decides every outbound request: deny without a grant, a fixed
// (admin-declared) request only as declared, everything else by the proxy
// rules, then the call budget and the caller's rate class.
func TestCheckUpstream(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := policyWith(t, `{"proxy":{"rules":[
		{"path":"/items/","methods":["GET"],"minRole":"Viewer"},
		{"path":"/items/","methods":["POST"],"minRole":"Editor"},
		{"path":"/admin/","methods":["GET"],"minRole":"Admin"}]},
		"rateLimits":{"classes":{"query":{"perSecond":1,"burst":2}}}}`, nil, c)
	viewer := Caller{Login: "vera", Role: role.Viewer}
	u := func(s string) *url.URL { v, _ := url.Parse("https://x" + s); return v }
	fixed := &FixedRequest{Method: "POST", URL: "https://x/admin/run"}
	cases := []struct {
		name   string
		grant  *Grant
		method string
		rel    string
		code   string // "" = allowed
	}{
		{"no grant", nil, "GET", "/items/1", "no_grant"},
		{"rule allows", &Grant{Caller: viewer}, "GET", "/items/1", ""},
		{"method not allowed", &Grant{Caller: viewer}, "DELETE", "/items/1", "proxy_method_denied"},
		{"path not covered", &Grant{Caller: viewer}, "GET", "/other", "proxy_path_denied"},
		{"role too low for write", &Grant{Caller: viewer}, "POST", "/items/1", "role_required"},
		{"role too low for admin path", &Grant{Caller: editor}, "GET", "/admin/x", "role_required"},
		{"ambiguous path", &Grant{Caller: viewer}, "GET", "/items/..%2fadmin", "ambiguous_path"},
		{"fixed request as declared", &Grant{Caller: viewer, Fixed: fixed}, "POST", "/admin/run", ""},
		{"fixed grant, other method", &Grant{Caller: viewer, Fixed: fixed}, "GET", "/admin/run", "role_required"},
		{"fixed grant, other path (a redirect)", &Grant{Caller: viewer, Fixed: fixed}, "POST", "/admin/other", "proxy_method_denied"},
	}
	for _, tc := range cases {
		ctx := context.Background()
		if tc.grant != nil {
			ctx = WithGrant(ctx, *tc.grant)
		}
		err := p.CheckUpstream(ctx, tc.method, u(tc.rel), tc.rel)
		if got := codeOf(err); got != tc.code {
			t.Errorf("%s: %s %s → %q (%v), want %q", tc.name, tc.method, tc.rel, got, err, tc.code)
		}
	}
}

func TestCheckUpstreamBudgetAndRateClass(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := policyWith(t, `{"proxy":{"rules":[{"path":"/","methods":["GET"],"minRole":"Viewer"}]},
		"rateLimits":{"classes":{"query":{"perSecond":1,"burst":2}}}}`, nil, c)
	viewer := Caller{Login: "vera", Role: role.Viewer}
	target, _ := url.Parse("https://x/a")

	budget := WithGrant(context.Background(), Grant{Caller: viewer, Budget: NewCallBudget(3)})
	for i := 1; i <= 4; i++ {
		err := p.CheckUpstream(budget, "GET", target, "/a")
		if want := map[bool]string{true: "", false: "upstream_calls_exceeded"}[i <= 3]; codeOf(err) != want {
			t.Fatalf("call %d: %v, want %q", i, err, want)
		}
	}

	// The rate class charges every request (each page of a query); a grant
	// without one (alert rules) is not throttled by the user's limiter.
	limited := WithGrant(context.Background(), Grant{Caller: viewer, RateClass: "query"})
	for i := 1; i <= 3; i++ {
		err := p.CheckUpstream(limited, "GET", target, "/a")
		if want := map[bool]string{true: "", false: "rate_limited"}[i <= 2]; codeOf(err) != want {
			t.Fatalf("limited call %d: %v, want %q", i, err, want)
		}
	}
	background := WithGrant(context.Background(), Grant{Caller: viewer})
	for i := 0; i < 5; i++ {
		if err := p.CheckUpstream(background, "GET", target, "/a"); err != nil {
			t.Fatalf("a grant without a rate class was limited: %v", err)
		}
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *apierr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "not an apierr: " + err.Error()
}

// The proxy matches the rules once per call: the gate takes the decision the
// grant carries for that very request (method and path) without matching the
// rules again, and matches every other request (a redirect hop) as usual.
func TestCheckUpstreamTakesTheProxysDecision(t *testing.T) {
	p := policyWith(t, `{"proxy":{"rules":[{"path":"/items/","methods":["GET"],"minRole":"Viewer"},
		{"path":"/admin/","methods":["GET"],"minRole":"Admin"}]},"rateLimits":{"disabled":true}}`, nil, nil)
	admin := Caller{Login: "ada", Role: role.Admin}
	d, aerr := p.DecideUpstream(admin, "GET", "/admin/x")
	if aerr != nil || d.Rule().Path != "/admin/" {
		t.Fatalf("decision: %v %v", d, aerr)
	}
	if _, aerr := p.DecideUpstream(Caller{Login: "vera", Role: role.Viewer}, "GET", "/admin/x"); codeOf(aerr) != "role_required" {
		t.Fatalf("viewer decision: %v", aerr)
	}
	u := func(s string) *url.URL { v, _ := url.Parse("https://x" + s); return v }
	// A viewer's grant carrying the admin's decision shows which requests the
	// gate takes it for: only the decided one.
	g := Grant{Caller: Caller{Login: "vera", Role: role.Viewer}, Decision: d}
	for _, tc := range []struct{ method, rel, code string }{
		{"GET", "/admin/x", ""}, {"GET", "/admin/y", "role_required"}, {"POST", "/admin/x", "proxy_method_denied"},
		{"GET", "/admin/..", "ambiguous_path"}} {
		if got := codeOf(p.CheckUpstream(WithGrant(context.Background(), g), tc.method, u(tc.rel), tc.rel)); got != tc.code {
			t.Errorf("%s %s: %q, want %q", tc.method, tc.rel, got, tc.code)
		}
	}
}
