package authz

import (
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func keyHash(salt, key string) string {
	h := HashKey([]byte(salt), key)
	return "sha256:" + hex.EncodeToString([]byte(salt)) + ":" + hex.EncodeToString(h[:])
}

func policyWith(t *testing.T, jsonData string, secure map[string]string, c *clock) *Policy {
	t.Helper()
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://x", JSONData: []byte(jsonData), DecryptedSecureJSONData: secure})
	if err != nil {
		t.Fatal(err)
	}
	return NewPolicy(s, c.now)
}

var editor = Caller{Login: "bot", Role: role.Editor}

func TestAPIKeys(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := policyWith(t, `{"apiKeys":[
		{"name":"old","expires":"2025-06-01T00:00:00Z"},
		{"name":"deploy","scopes":["action:deploy"]},
		{"name":"any"}]}`, map[string]string{
		"apiKeyHash.old":    keyHash("salt-old-1234567", "k-old"),
		"apiKeyHash.deploy": keyHash("salt-deploy-1234", "k-deploy"),
		"apiKeyHash.any":    keyHash("salt-any-1234567", "k-any"),
	}, c)
	req := Requirement{Scope: "action:deploy", MinRole: role.Editor, APIKey: true}
	cases := []struct {
		key, scope, code, name string
	}{
		{"k-deploy", "action:deploy", "", "deploy"},
		{"k-any", "action:restart", "", "any"},
		{"k-deploy", "action:restart", "api_key_scope", ""},
		{"k-old", "action:deploy", "api_key_expired", ""},
		{"wrong", "action:deploy", "api_key_invalid", ""},
		{"", "action:deploy", "api_key_required", ""},
	}
	for _, tc := range cases {
		r := req
		r.Scope = tc.scope
		got, err := p.Authorize(editor, r, "action", tc.key)
		code := ""
		if err != nil {
			code = err.Code
			if strings.Contains(err.Message, tc.key) && tc.key != "" {
				t.Errorf("error message contains the key: %s", err.Message)
			}
		}
		if code != tc.code || (tc.code == "" && got.APIKey != tc.name) {
			t.Errorf("key %q scope %s: code %q name %q, want %q %q", tc.key, tc.scope, code, got.APIKey, tc.code, tc.name)
		}
	}
	// A role below the floor is refused before the key matters.
	if _, err := p.Authorize(Caller{Login: "v", Role: role.Viewer}, req, "action", "k-deploy"); err == nil || err.Code != "role_required" {
		t.Fatalf("viewer with key: %v", err)
	}
}

func TestAPIKeyLockoutAndRecovery(t *testing.T) {
	c := &clock{t: time.Now()}
	p := policyWith(t, `{"apiKeys":[{"name":"k"}]}`, map[string]string{"apiKeyHash.k": keyHash("0123456789abcdef", "good")}, c)
	req := Requirement{Scope: "action:x", MinRole: role.Viewer, APIKey: true}
	for i := 0; i < keyFailureBurst; i++ {
		if _, err := p.Authorize(editor, req, "action", "bad"); err == nil || err.Code != "api_key_invalid" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Locked out: even the right key waits, and the answer is a 429 with a retry time.
	_, err := p.Authorize(editor, req, "action", "good")
	if err == nil || err.Status != 429 || err.RetryAfter < 1 {
		t.Fatalf("want lockout, got %v", err)
	}
	// Another caller is not affected.
	if _, err := p.Authorize(Caller{Login: "other", Role: role.Editor}, req, "action", "good"); err != nil {
		t.Fatalf("other caller locked out: %v", err)
	}
	c.t = c.t.Add(keyFailureEvery + time.Second)
	if _, err := p.Authorize(editor, req, "action", "good"); err != nil {
		t.Fatalf("after backoff: %v", err)
	}
}

func TestRateLimitRefillAndClasses(t *testing.T) {
	c := &clock{t: time.Now()}
	p := policyWith(t, `{"rateLimits":{"default":{"perSecond":1,"burst":2},"classes":{"write":{"perSecond":10,"burst":10}}}}`, nil, c)
	req := Requirement{Scope: "info", MinRole: role.Viewer}
	for i := 0; i < 2; i++ {
		if _, err := p.Authorize(editor, req, "read", ""); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := p.Authorize(editor, req, "read", "")
	if err == nil || err.Status != 429 || err.RetryAfter != 1 {
		t.Fatalf("want 429 Retry-After 1, got %+v", err)
	}
	if _, err := p.Authorize(editor, req, "write", ""); err != nil {
		t.Fatalf("other class shares the bucket: %v", err)
	}
	c.t = c.t.Add(time.Second)
	if _, err := p.Authorize(editor, req, "read", ""); err != nil {
		t.Fatalf("no refill: %v", err)
	}
}

func TestIdleLimitersExpire(t *testing.T) {
	c := &clock{t: time.Now()}
	p := policyWith(t, `{"rateLimits":{"idleTTL":"1m"}}`, nil, c)
	for i := 0; i < 100; i++ {
		p.Authorize(Caller{Login: fmt.Sprint("u", i), Role: role.Viewer}, Requirement{Scope: "info"}, "read", "")
	}
	if n := p.Limiters().Len(); n != 100 {
		t.Fatalf("entries = %d", n)
	}
	c.t = c.t.Add(2 * time.Minute)
	p.Limiters().Sweep()
	if n := p.Limiters().Len(); n != 0 {
		t.Fatalf("idle entries kept: %d", n)
	}
}

func TestConcurrentCallersRace(t *testing.T) {
	p := policyWith(t, `{"rateLimits":{"default":{"perSecond":1000000,"burst":1000000}}}`, nil, &clock{t: time.Now()})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if _, err := p.Authorize(Caller{Login: fmt.Sprint("u", i%50), Role: role.Viewer}, Requirement{Scope: "info"}, "read", ""); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestRequirementTighten(t *testing.T) {
	base := Requirement{Scope: "x", MinRole: role.Viewer, Users: []string{"a", "b"}}
	got := base.Tighten(Requirement{MinRole: role.Editor, Users: []string{"b", "c"}, APIKey: true})
	if got.MinRole != role.Editor || !got.APIKey || got.CheckUser(Caller{Login: "b", Role: role.Editor}) != nil ||
		got.CheckUser(Caller{Login: "a", Role: role.Admin}) == nil {
		t.Fatalf("tighten: %+v", got)
	}
	loosen := base.Tighten(Requirement{MinRole: role.None})
	if loosen.MinRole != role.Viewer {
		t.Fatal("tighten loosened the role")
	}
}

func TestAudit(t *testing.T) {
	a := NewAudit(3, nil)
	for i := 0; i < 5; i++ {
		a.Record(AuditEntry{Route: fmt.Sprint(i)})
	}
	got := a.Entries(0)
	if len(got) != 3 || got[0].Route != "4" || got[2].Route != "2" {
		t.Fatalf("ring: %+v", got)
	}
	if len(a.Entries(1)) != 1 {
		t.Fatal("limit ignored")
	}
}

func FuzzRequirement(f *testing.F) {
	f.Add("Viewer", "Editor", "alice", "alice,bob", true)
	f.Add("", "Admin", "", "", false)
	f.Fuzz(func(t *testing.T, callerRole, minRole, login, users string, public bool) {
		c := Caller{Login: login, Role: role.FromGrafana(callerRole)}
		r := Requirement{Scope: "fuzz", MinRole: role.FromGrafana(minRole), Public: public}
		if users != "" {
			r.Users = strings.Split(users, ",")
		}
		err := r.CheckUser(c)
		// Invariants: allowed callers meet the effective role; non-public routes never admit role None.
		if err == nil && !c.Role.AtLeast(r.EffectiveRole()) {
			t.Fatalf("allowed below role: %+v %+v", c, r)
		}
		if err == nil && !public && c.Role == role.None {
			t.Fatalf("None admitted to non-public route")
		}
		if err == nil && len(r.Users) > 0 && !contains(r.Users, login) {
			t.Fatalf("user allowlist bypassed")
		}
	})
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
