package blackbox

import (
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 21 §4: Grafana's anonymous access presents a user with an empty
// login and the anonymous role. Such a query used to be taken for an alert
// rule: authorized as an Editor and never rate limited.

const anonymousUsers = `users:
  - {login: admin, password: admin, role: Admin}
  - {login: viewer, password: viewer, role: Viewer}
anonymous: {enabled: true, role: Viewer}
`

func anonymousStack(t *testing.T) *harness.Stack {
	return startWithUsers(t, `{"proxy":{"rules":[
		{"path":"/api/items","methods":["GET"],"minRole":"Viewer"},
		{"path":"/api/categories","methods":["GET"],"minRole":"Editor"}]},
		"rateLimits":{"classes":{"query":{"perSecond":0.01,"burst":2},"read":{"perSecond":0.01,"burst":2}}}}`, anonymousUsers)
}

func TestIdentityAnonymousQueryKeepsItsRole(t *testing.T) {
	s := anonymousStack(t)
	// "" sends no credentials: the dev host serves the request as Grafana's anonymous user.
	status, out, body := dsQuery(s, "", map[string]any{"refId": "A", "path": "/api/categories"})
	if status != 400 || out.Results["A"].Status != 403 || !strings.Contains(out.Results["A"].Error, "requires the Editor role") {
		t.Fatalf("an anonymous Viewer ran an Editor-only query: %d %.400s", status, body)
	}
	if !strings.Contains(out.Results["A"].Error, "the caller's role is Viewer") {
		t.Errorf("the anonymous caller is not a Viewer: %s", out.Results["A"].Error)
	}
	// The anonymous user may do what its role allows.
	if status, out, body := dsQuery(s, "", map[string]any{"refId": "B", "path": "/api/items", "params": map[string]any{"limit": "1"},
		"pipeline": map[string]any{"root": "items"}}); status != 200 || len(out.Results["B"].Frames) != 1 {
		t.Fatalf("an anonymous Viewer query on a Viewer path: %d %.400s", status, body)
	}
	// Resource calls read the caller the same way: a Viewer, not role None.
	if resp, body := s.Do("GET", res+"/info", "", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("anonymous /info: %d %.300s", resp.StatusCode, body)
	}
}

func TestIdentityAnonymousQueriesAreRateLimitedTogether(t *testing.T) {
	s := anonymousStack(t)
	q := func(ref string) map[string]any {
		return map[string]any{"refId": ref, "path": "/api/items", "params": map[string]any{"limit": "1"}, "pipeline": map[string]any{"root": "items"}}
	}
	// One bucket for all anonymous users of the org (burst 2): they cannot be told apart.
	for i, ref := range []string{"A", "B"} {
		if status, _, body := dsQuery(s, "", q(ref)); status != 200 {
			t.Fatalf("anonymous query %d: %d %.300s", i+1, status, body)
		}
	}
	status, out, body := dsQuery(s, "", q("C"))
	if status != 400 || out.Results["C"].Status != 429 || !strings.Contains(out.Results["C"].Error, "rate") {
		t.Fatalf("the third anonymous query within the burst of 2 was not rate limited: %d %.400s", status, body)
	}
	// A signed-in Viewer has a bucket of its own.
	if status, _, body := dsQuery(s, "viewer", q("D")); status != 200 {
		t.Fatalf("a signed-in Viewer was limited by the anonymous bucket: %d %.300s", status, body)
	}
}
