package authz

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/role"
)

func TestGrantsAreBoundToTheirUpstream(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := policyWith(t, `{
		"proxy": {"rules": [{"path": "/shared", "methods": ["GET"]}, {"path": "/root-only", "methods": ["GET"]}]},
		"upstreams": [
			{"name": "a", "url": "https://a.example", "proxy": {"rules": [{"path": "/shared", "methods": ["GET"]}, {"path": "/a-only", "methods": ["GET"], "minRole": "Editor"}]}},
			{"name": "b", "url": "https://b.example", "proxy": {"rules": [{"path": "/shared", "methods": ["GET"]}]}}
		]}`, nil, c)
	viewer := Caller{Login: "v", Role: role.Viewer}
	if p.ForUpstream("") != p || p.ForUpstream("default") != p || p.ForUpstream("ghost") != nil {
		t.Fatal("views: default is the policy itself, unknown is nil")
	}
	a, b := p.ForUpstream("a"), p.ForUpstream("b")
	if a.Upstream() != "a" || b.ForUpstream("a") != a || a.ForUpstream("") != p {
		t.Fatal("every view resolves every name")
	}
	cases := []struct {
		name     string
		gate     *Policy
		grantFor string
		caller   Caller
		rel      string
		code     string // "" allowed
	}{
		{"own grant, own rule", a, "a", viewer, "/shared", ""},
		{"a's grant at b", b, "a", viewer, "/shared", "wrong_upstream"},
		{"default grant at a", a, "", viewer, "/shared", "wrong_upstream"},
		{"a's grant at the default", p, "a", viewer, "/shared", "wrong_upstream"},
		{"default alias", p, "default", viewer, "/shared", ""},
		{"a's rules at b", b, "b", editor, "/a-only", "proxy_path_denied"},
		{"the default's rules at a", a, "a", viewer, "/root-only", "proxy_path_denied"},
		{"a's role floor", a, "a", viewer, "/a-only", "role_required"},
		{"a's rule for an editor", a, "a", editor, "/a-only", ""},
		{"ambiguous path on a view", a, "a", viewer, "/shared/../a-only", "ambiguous_path"},
	}
	for _, tc := range cases {
		ctx := WithGrant(context.Background(), Grant{Caller: tc.caller, Purpose: "proxy", Upstream: tc.grantFor})
		err := tc.gate.CheckUpstream(ctx, "GET", &url.URL{Scheme: "https", Host: "x", Path: tc.rel}, tc.rel)
		got := ""
		if err != nil {
			ae, ok := err.(*apierr.Error) //nolint:errorlint // the gate returns it unwrapped
			if !ok {
				t.Fatalf("%s: %T", tc.name, err)
			}
			got = ae.Code
		}
		if got != tc.code {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
	// Views share the data source's limiters: a caller's budget is one.
	if a.Limiters() != p.Limiters() {
		t.Error("views must share the limiters")
	}
}
