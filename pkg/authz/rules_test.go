package authz

import (
	"fmt"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

func TestRuleMatching(t *testing.T) {
	rs := CompileRules([]settings.ProxyRule{
		{Path: "/", Methods: []string{"GET"}, MinRole: role.Viewer},
		{Path: "/api/", Methods: []string{"GET", "POST"}, MinRole: role.Editor},
		{Path: "/api/items", Methods: []string{"DELETE"}, MinRole: role.Admin},
		{Path: "/api/admin*", Methods: []string{"GET"}, MinRole: role.Admin},
	})
	cases := []struct {
		path, method, want string
		covered            bool
	}{
		{"/x", "GET", "/", true},
		{"/api/items", "GET", "/api/", true},
		{"/api/items", "DELETE", "/api/items", true},
		{"/api/items/1", "DELETE", "", true},
		{"/api/x", "POST", "/api/", true},
		{"/x", "POST", "", true},
		{"/api/adminpanel", "GET", "/api/", true}, // "/api/" is more specific by walk order than star rules
		{"/api/x", "HEAD", "/api/", true},
	}
	for _, c := range cases {
		r, covered := rs.Match(c.path, c.method)
		got := ""
		if r != nil {
			got = r.Path
		}
		if got != c.want || covered != c.covered {
			t.Errorf("%s %s: got %q covered=%v, want %q %v", c.method, c.path, got, covered, c.want, c.covered)
		}
	}
	if r, covered := CompileRules(nil).Match("/x", "GET"); r != nil || covered {
		t.Error("no rules must allow nothing")
	}
}

func FuzzRuleMatch(f *testing.F) {
	rs := CompileRules([]settings.ProxyRule{{Path: "/a/", Methods: []string{"GET"}}, {Path: "/a/b", Methods: []string{"POST"}}, {Path: "/c*", Methods: []string{"PUT"}}})
	f.Add("/a/b", "POST")
	f.Add("/", "GET")
	f.Fuzz(func(t *testing.T, path, method string) {
		if len(path) == 0 || path[0] != '/' {
			return
		}
		r, _ := rs.Match(path, method)
		if r != nil && !r.Allows(method) {
			t.Fatalf("matched a rule that does not allow %s", method)
		}
	})
}

// BenchmarkAuthorize measures the per-call policy cost with 1,000 proxy rules
// and 10,000 distinct users in the limiter: rate limiter reservation, then
// rule match + role check, as a proxy call pays them.
func BenchmarkAuthorize(b *testing.B) {
	var list []settings.ProxyRule
	for i := 0; i < 1000; i++ {
		list = append(list, settings.ProxyRule{Path: fmt.Sprintf("/svc%d/v1/", i), Methods: []string{"GET"}, MinRole: role.Viewer})
	}
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://api.example.com",
		JSONData: []byte(`{"rateLimits":{"default":{"perSecond":1000000000,"burst":1000000}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	s.Proxy.Rules = list
	p := NewPolicy(s, nil)
	route := Requirement{Scope: "proxy", MinRole: role.Viewer}
	users := make([]Caller, 10000)
	for i := range users {
		users[i] = Caller{Login: fmt.Sprintf("user-%d", i), Role: role.Viewer}
		_, _ = p.Authorize(users[i], route, "read", "")
	}
	paths := []string{"/svc999/v1/items/42", "/svc0/v1/x", "/svc500/v1/a/b/c"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := users[i%len(users)]
		if _, err := p.Authorize(u, route, "read", ""); err != nil {
			b.Fatal(err)
		}
		if _, err := p.AuthorizeUpstream(u, "GET", paths[i%len(paths)]); err != nil {
			b.Fatal(err)
		}
	}
}
