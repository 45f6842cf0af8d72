package authz

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/role"
)

// How Grafana presents callers (issue 21 §4): an anonymous user is a User
// with an empty login and the role Grafana's anonymous access gives; only an
// evaluation marked FromAlert is background.
func TestQueryCaller(t *testing.T) {
	anon := &backend.User{Role: "Viewer"}
	alert := map[string]string{backend.FromAlertHeaderName: "true"}
	cases := []struct {
		name       string
		user       *backend.User
		headers    map[string]string
		login      string
		role       role.Role
		background bool
	}{
		{"anonymous viewer keeps its role", anon, nil, "", role.Viewer, false},
		{"anonymous editor keeps its role", &backend.User{Role: "Editor"}, nil, "", role.Editor, false},
		{"no user is no one", nil, nil, "", role.None, false},
		{"a browser's FromAlert arrives as http_ and is ignored", anon, map[string]string{"http_FromAlert": "true"}, "", role.Viewer, false},
		{"FromAlert false", anon, map[string]string{backend.FromAlertHeaderName: "false"}, "", role.Viewer, false},
		{"signed-in user", &backend.User{Login: "vera", Role: "Viewer"}, nil, "vera", role.Viewer, false},
		{"scheduler (Admin) runs as Editor", &backend.User{Login: "grafana_scheduler", Role: "Admin"}, alert, "grafana_scheduler", role.Editor, true},
		{"alert without a user", nil, alert, BackgroundLogin, role.Editor, true},
		{"service identity without a login", &backend.User{Role: "Admin"}, alert, BackgroundLogin, role.Editor, true},
		{"a Viewer previewing a rule stays a Viewer", &backend.User{Login: "vera", Role: "Viewer"}, alert, "vera", role.Viewer, true},
		{"anonymous preview stays a Viewer", anon, alert, BackgroundLogin, role.Viewer, true},
	}
	for _, tc := range cases {
		c, bg := QueryCaller(backend.PluginContext{OrgID: 3, User: tc.user}, tc.headers)
		if c.Login != tc.login || c.Role != tc.role || bg != tc.background || c.OrgID != 3 {
			t.Errorf("%s: got %+v background=%v", tc.name, c, bg)
		}
	}
}

func TestAnonymousCallersShareOneBucketPerOrg(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := policyWith(t, `{"rateLimits":{"classes":{"read":{"perSecond":0.001,"burst":2}}}}`, nil, c)
	req := Requirement{Scope: "info", MinRole: role.Viewer}
	org1 := CallerFromPluginContext(backend.PluginContext{OrgID: 1, User: &backend.User{Role: "Viewer"}})
	org2 := CallerFromPluginContext(backend.PluginContext{OrgID: 2, User: &backend.User{Role: "Viewer"}})
	named := Caller{Login: "anonymous", Role: role.Viewer, OrgID: 1} // a login that reads "anonymous" is someone else
	for i := 1; i <= 3; i++ {
		_, err := p.Authorize(org1, req, "read", "")
		if (err == nil) != (i <= 2) {
			t.Fatalf("anonymous call %d in org 1: %v", i, err)
		}
	}
	if _, err := p.Authorize(org2, req, "read", ""); err != nil {
		t.Errorf("org 2's anonymous users share org 1's bucket: %v", err)
	}
	if _, err := p.Authorize(named, req, "read", ""); err != nil {
		t.Errorf("the user named anonymous shares the anonymous bucket: %v", err)
	}
	// Anonymous users are never one of a rule's listed users.
	if err := (Requirement{Scope: "x", Users: []string{""}}).CheckUser(org1); err == nil || err.Code != "user_not_allowed" {
		t.Errorf("anonymous matched a user list: %v", err)
	}
}
