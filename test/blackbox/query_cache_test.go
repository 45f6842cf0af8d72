package blackbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// The query cache through Grafana's /api/ds/query, counted at the demo API.

func cachedQuery(t *testing.T, s *harness.Stack, user string, queries ...map[string]any) queryResponse {
	t.Helper()
	for _, q := range queries {
		q["datasource"] = map[string]any{"uid": uid}
	}
	resp, body := s.Do("POST", "/api/ds/query", user, map[string]any{"from": "now-1h", "to": "now", "queries": queries}, nil)
	var out queryResponse
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %.500s", resp.StatusCode, body)
	}
	return out
}

// callsAndNotices reads the demo API's "calls" (how many requests had reached the path when the answer was made)
// and the frame's notices.
func callsAndNotices(t *testing.T, out queryResponse, refID string) (float64, []string) {
	t.Helper()
	r, ok := out.Results[refID]
	if !ok || r.Error != "" || len(r.Frames) == 0 {
		t.Fatalf("%s: %+v", refID, r)
	}
	f := r.Frames[0]
	calls := -1.0
	for i, fl := range f.Schema.Fields {
		if fl.Name == "calls" && len(f.Data.Values[i]) > 0 {
			calls, _ = f.Data.Values[i][0].(float64)
		}
	}
	var notices []string
	for _, n := range f.Schema.Meta.Notices {
		notices = append(notices, n.Text)
	}
	return calls, notices
}

func resetDemoCounter(t *testing.T, s *harness.Stack) {
	t.Helper()
	req, _ := http.NewRequest("DELETE", s.DemoURL+"/api/counter", nil)
	resp, err := s.Client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("reset counter: %v %v", err, resp)
	}
	resp.Body.Close()
}

func TestQueryCacheThroughGrafana(t *testing.T) {
	s := start(t, `{"rateLimits":{"disabled":true},"proxy":{"rules":[
		{"path":"/api/","methods":["GET"],"minRole":"Viewer"},
		{"path":"/api/cacheable","methods":["GET"],"minRole":"Viewer","cacheTTL":"30s"}]}}`)

	t.Run("12 identical queries make 1 upstream call", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := []string{"viewer", "editor", "admin"}[i%3]
				cachedQuery(t, s.With(t), user, map[string]any{"refId": "A", "path": "/api/cacheable", "params": map[string]any{"delay": "300ms", "n": "12"}})
			}()
		}
		wg.Wait()
		if got := demoCount(t, s, "/api/cacheable"); got != 1 {
			t.Fatalf("12 identical queries made %d upstream calls, want 1", got)
		}
	})

	t.Run("different pipelines share one fetch", func(t *testing.T) {
		before := demoCount(t, s, "/api/items")
		q := func(ref string, steps ...any) map[string]any {
			return map[string]any{"refId": ref, "path": "/api/items", "params": map[string]any{"limit": "5"}, "cacheTTL": "1m",
				"pipeline": map[string]any{"root": "items", "steps": steps}}
		}
		out := cachedQuery(t, s, "viewer", q("A"), q("B", map[string]any{"type": "limit", "count": 2}),
			q("C", map[string]any{"type": "groupBy", "by": []any{"category"}, "aggregates": []any{map[string]any{"op": "count"}}}))
		if got := demoCount(t, s, "/api/items") - before; got != 1 {
			t.Fatalf("three panels over one call made %d upstream calls", got)
		}
		if a, b := out.Results["A"].Frames[0].Data.Values[0], out.Results["B"].Frames[0].Data.Values[0]; len(a) != 5 || len(b) != 2 {
			t.Fatalf("each panel runs its own pipeline: %d and %d rows", len(a), len(b))
		}
	})

	t.Run("notice with its age, then expiry", func(t *testing.T) {
		q := map[string]any{"refId": "A", "path": "/api/cacheable", "params": map[string]any{"k": "ttl"}, "cacheTTL": "2s"}
		first, notices := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		if len(notices) != 0 {
			t.Fatalf("a fetched answer has no cache notice: %q", notices)
		}
		time.Sleep(1100 * time.Millisecond)
		calls, notices := callsAndNotices(t, cachedQuery(t, s, "editor", q), "A")
		if calls != first || len(notices) != 1 || !strings.Contains(notices[0], "served from Relay's query cache: age 1s (cacheTTL 2s)") {
			t.Fatalf("calls %v (first %v) notices %q", calls, first, notices)
		}
		time.Sleep(1100 * time.Millisecond)
		if calls, notices = callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A"); calls != first+1 || len(notices) != 0 {
			t.Fatalf("expired: calls %v notices %q", calls, notices)
		}
	})

	t.Run("the proxy rule's cacheTTL is the default", func(t *testing.T) {
		q := map[string]any{"refId": "A", "path": "/api/cacheable", "params": map[string]any{"k": "rule"}}
		first, _ := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		calls, notices := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		if calls != first || len(notices) != 1 || !strings.Contains(notices[0], "cacheTTL 30s from the proxy rule /api/cacheable") {
			t.Fatalf("calls %v notices %q", calls, notices)
		}
	})

	t.Run("no-store is not cached", func(t *testing.T) {
		q := map[string]any{"refId": "A", "path": "/api/nostore", "cacheTTL": "1m"}
		a, _ := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		b, notices := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		if b != a+1 || len(notices) != 0 {
			t.Fatalf("no-store: calls %v then %v, notices %q", a, b, notices)
		}
	})

	t.Run("per-user values key per user", func(t *testing.T) {
		resetDemoCounter(t, s)
		shared := map[string]any{"refId": "A", "path": "/api/cacheable", "params": map[string]any{"k": "shared"}, "cacheTTL": "1m"}
		mine := map[string]any{"refId": "A", "path": "/api/cacheable", "params": map[string]any{"k": "mine", "who": "${__user.login}"}, "cacheTTL": "1m"}
		for _, user := range []string{"viewer", "editor", "viewer", "editor"} {
			cachedQuery(t, s, user, shared)
			cachedQuery(t, s, user, mine)
		}
		// One call for the service credential's shared answer, one per user for the per-user one.
		if got := demoCount(t, s, "/api/cacheable"); got != 3 {
			t.Fatalf("%d upstream calls, want 1 shared + 2 per user", got)
		}
	})

	t.Run("stale while revalidate", func(t *testing.T) {
		q := map[string]any{"refId": "A", "path": "/api/cacheable", "params": map[string]any{"k": "swr"}, "cacheTTL": "1s", "staleWhileRevalidate": "1m"}
		first, _ := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		time.Sleep(1100 * time.Millisecond)
		calls, notices := callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
		if calls != first || len(notices) != 1 || !strings.Contains(notices[0], "served stale from Relay's query cache") {
			t.Fatalf("stale: calls %v notices %q", calls, notices)
		}
		// The one background refresh lands; the next query gets its answer, fresh.
		deadline := time.Now().Add(10 * time.Second)
		for {
			calls, notices = callsAndNotices(t, cachedQuery(t, s, "viewer", q), "A")
			if calls == first+1 && len(notices) == 1 && strings.Contains(notices[0], "served from Relay's query cache: age") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no refreshed answer: calls %v notices %q", calls, notices)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// The preview (/transform with a source) reports the effective TTL and whether the answer came from the cache.
func TestQueryCachePreview(t *testing.T) {
	s := start(t, `{"proxy":{"rules":[{"path":"/api/","methods":["GET"],"minRole":"Viewer"},
		{"path":"/api/cacheable","methods":["GET"],"minRole":"Viewer","cacheTTL":"30s"}]}}`)
	preview := func(source map[string]any) map[string]any {
		resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": source, "pipeline": map[string]any{}}, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		return decode(t, body)
	}
	src := map[string]any{"path": "/api/cacheable", "params": map[string]any{"p": "1"}}
	first := preview(src)
	c, _ := first["cache"].(map[string]any)
	if c["ttl"] != "30s" || c["from"] != "rule /api/cacheable" || c["result"] != "miss" {
		t.Fatalf("first preview: %v", first["cache"])
	}
	c, _ = preview(src)["cache"].(map[string]any)
	if c["result"] != "hit" {
		t.Fatalf("second preview: %v", c)
	}
	src["cacheTTL"] = "5m"
	if c, _ = preview(src)["cache"].(map[string]any); c["ttl"] != "5m0s" || c["from"] != "query" {
		t.Fatalf("query TTL: %v", c)
	}
	if out := preview(map[string]any{"path": "/api/items", "params": map[string]any{"limit": "1"}}); out["cache"] != nil {
		t.Fatalf("an uncached query says nothing about the cache: %v", out["cache"])
	}
}
