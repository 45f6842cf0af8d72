package blackbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

var roleRank = map[string]int{"None": 0, "Viewer": 1, "Editor": 2, "Admin": 3}

// TestRouteRoleMethodMatrix walks every route of the served OpenAPI document
// (so a new route is covered without editing this test) × every role × every
// method, through the dev host and the real plugin protocol.
func TestRouteRoleMethodMatrix(t *testing.T) {
	s := start(t, `{"proxy":{"rules":[{"path":"/api/echo*","methods":["GET","POST","PUT","PATCH","DELETE","OPTIONS"],"minRole":"Viewer"}]},
		"rateLimits":{"disabled":true}}`)
	_, body := s.Do("GET", res+"/openapi.json", "admin", nil, nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	users := map[string]string{"None": "none", "Viewer": "viewer", "Editor": "editor", "Admin": "admin"}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	var paths []string
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	checked := 0
	for _, p := range paths {
		concrete := strings.NewReplacer("{path}", "api/echo/matrix", "{name}", "no-such-action").Replace(p)
		if p == "/graphql/schema" {
			// Its upstream call goes to the path it is given (default
			// /graphql): one the matrix's proxy rule covers.
			concrete += "?path=/api/echo/matrix"
		}
		minRoles := map[string]string{}
		for m, raw := range doc.Paths[p] {
			var op struct {
				MinRole string `json:"x-relay-min-role"`
			}
			if json.Unmarshal(raw, &op) == nil && op.MinRole != "" {
				minRoles[strings.ToUpper(m)] = op.MinRole
			}
		}
		if _, ok := minRoles["GET"]; ok {
			if _, ok := minRoles["HEAD"]; !ok {
				minRoles["HEAD"] = minRoles["GET"]
			}
		}
		for _, method := range methods {
			for role, user := range users {
				checked++
				resp, rb := s.Do(method, res+concrete, user, bodyFor(method), nil)
				min, documented := minRoles[method]
				switch {
				case !documented:
					if resp.StatusCode != http.StatusMethodNotAllowed {
						t.Errorf("%s %s as %s: undocumented method answered %d", method, concrete, role, resp.StatusCode)
					}
				case roleRank[role] < roleRank[min] || (role == "None" && min != "None"):
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("%s %s as %s (min %s): %d %.120s, want 403", method, concrete, role, min, resp.StatusCode, rb)
					}
				default:
					if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusMethodNotAllowed {
						t.Errorf("%s %s as %s (min %s): %d %.120s, want allowed", method, concrete, role, min, resp.StatusCode, rb)
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d combinations checked; the document has too few routes", checked)
	}
}

func bodyFor(method string) any {
	if method == "POST" || method == "PUT" || method == "PATCH" {
		return []byte(`{}`)
	}
	return nil
}

func keyHash(salt, key string) string {
	h := sha256.Sum256(append([]byte(salt), key...))
	return "sha256:" + hex.EncodeToString([]byte(salt)) + ":" + hex.EncodeToString(h[:])
}

func TestAPIKeysOverHTTP(t *testing.T) {
	prov := strings.Replace(provisioning(`{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},
		"routes":{"info":{"apiKeyRequired":true}},
		"apiKeys":[{"name":"ci","scopes":["info"]},{"name":"old","expires":"2020-01-01T00:00:00Z"},{"name":"other","scopes":["audit"]}]}`),
		"secureJsonData:\n", "secureJsonData:\n      apiKeyHash.ci: "+keyHash("salt-for-ci-0001", "key-ci")+
			"\n      apiKeyHash.old: "+keyHash("salt-for-old-001", "key-old")+
			"\n      apiKeyHash.other: "+keyHash("salt-for-other-1", "key-other")+"\n", 1)
	s := harness.Start(t, harness.Options{Provisioning: prov, DemoArgs: []string{"-bearer-token", canary}})
	cases := []struct {
		key    string
		status int
		code   string
	}{
		{"key-ci", 200, ""},
		{"", 403, "api_key_required"},
		{"wrong", 403, "api_key_invalid"},
		{"key-old", 403, "api_key_expired"},
		{"key-other", 403, "api_key_scope"},
	}
	for _, c := range cases {
		h := map[string]string{}
		if c.key != "" {
			h["X-API-Key"] = c.key
		}
		resp, body := s.Do("GET", res+"/info", "robot", nil, h)
		if resp.StatusCode != c.status || (c.code != "" && decode(t, body)["code"] != c.code) {
			t.Errorf("key %q: %d %s", c.key, resp.StatusCode, body)
		}
		if c.key != "" && strings.Contains(string(body), c.key) {
			t.Errorf("response echoes the key")
		}
	}
	// Repeated failures lock the caller out for a while (429 with Retry-After), even with the right key.
	var last *http.Response
	for i := 0; i < 8; i++ {
		last, _ = s.Do("GET", res+"/info", "robot", nil, map[string]string{"X-API-Key": "guess-" + strconv.Itoa(i)})
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("no lockout after failures: %d", last.StatusCode)
	}
	if resp, _ := s.Do("GET", res+"/info", "robot", nil, map[string]string{"X-API-Key": "key-ci"}); resp.StatusCode != 429 {
		t.Fatalf("locked-out caller got %d", resp.StatusCode)
	}
	// Key use and denials are audited, without the key.
	_, body := s.Do("GET", res+"/audit?limit=50", "admin", nil, nil)
	if !strings.Contains(string(body), `"apiKey":"ci"`) || !strings.Contains(string(body), `"outcome":"denied"`) {
		t.Fatalf("audit lacks key use or denials: %.400s", body)
	}
	for _, k := range []string{"key-ci", "wrong", "guess-1"} {
		if strings.Contains(string(body), k) || strings.Contains(s.DevHostLog(), k) {
			t.Fatalf("a presented key appears in the audit or the log")
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := start(t, `{"rateLimits":{"default":{"perSecond":1,"burst":3}}}`)
	var codes []int
	for i := 0; i < 5; i++ {
		resp, body := s.Do("GET", res+"/info", "viewer", nil, nil)
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 {
			if resp.Header.Get("Retry-After") == "" || decode(t, body)["code"] != "rate_limited" {
				t.Fatalf("429 without Retry-After or code: %v %s", resp.Header, body)
			}
		}
	}
	if fmt.Sprint(codes[:3]) != "[200 200 200]" || codes[4] != 429 {
		t.Fatalf("codes %v", codes)
	}
	// Another user has their own budget.
	if resp, _ := s.Do("GET", res+"/info", "editor", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("other user limited: %d", resp.StatusCode)
	}
}
