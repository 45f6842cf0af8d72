package blackbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Relay in a Grafana fleet (docs/ha.md): three replicas, each a dev host with its own plugin process, one
// provisioning, one upstream, round-robin in front, and a real redis-server configured as Grafana configures
// plugins (redis_url in [plugin.relay-gateway-datasource], GF_PLUGIN_REDIS_URL).

// redisPassword must never show up in a response, a log line or health.
const redisPassword = "fleet-redis-pw-7c1d"

func fleetProvisioning() string {
	jsonData := `{"auth":{"type":"bearer"},"healthPath":"/health","network":{"allowPrivateNetworks":true},
		"rateLimits":{"default":{"perSecond":1000,"burst":1000},"classes":{"read":{"perSecond":5,"burst":5}}},
		"proxy":{"rules":[{"path":"/api/items*","methods":["GET"],"minRole":"Viewer"},{"path":"/slow","methods":["GET"],"minRole":"Viewer"}]},
		"routes":{"info":{"apiKeyRequired":true}},
		"apiKeys":[{"name":"ci","scopes":["info"]}],
		"actions":[
		  {"name":"create-item","method":"POST","path":"/api/items","minRole":"Editor",
		   "params":[{"name":"name","type":"string","required":true},{"name":"price","type":"number","required":true}]},
		  {"name":"slow-op","method":"GET","path":"/slow","query":{"delay":"1500ms"},"minRole":"Editor"}]}`
	return strings.Replace(provisioning(jsonData), "secureJsonData:\n",
		"secureJsonData:\n      apiKeyHash.ci: "+keyHash("salt-for-ci-0001", "key-ci")+"\n", 1)
}

func startFleet(t *testing.T, r *harness.Redis) *harness.Fleet {
	t.Helper()
	f := harness.StartFleet(t, harness.FleetOptions{Replicas: 3, Redis: r},
		harness.Options{Provisioning: fleetProvisioning(), DemoArgs: []string{"-bearer-token", canary}})
	t.Cleanup(func() {
		for _, s := range f.Replicas {
			assertNoCanary(t, "the dev host and plugin log", s.DevHostLog())
			if strings.Contains(s.DevHostLog(), redisPassword) {
				t.Errorf("the Redis password is in a log")
			}
		}
	})
	return f
}

func TestFleetSharedState(t *testing.T) {
	r := harness.StartRedis(t, harness.RedisOptions{Password: redisPassword})
	f := startFleet(t, r)
	demo := f.Replicas[0]
	pids := map[int]bool{}
	for _, s := range f.Replicas {
		pids[s.PluginPID] = true
	}
	if len(pids) != 3 {
		t.Fatalf("want three plugin processes, got %v", pids)
	}

	t.Run("health reports the shared state", func(t *testing.T) {
		for _, s := range f.With(t).Replicas {
			resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "admin", nil, nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf("Redis at redis://127.0.0.1:%d/0 ok", r.Port)) ||
				strings.Contains(string(body), redisPassword) {
				t.Fatalf("health: %d %s", resp.StatusCode, body)
			}
		}
		// Each plugin's metrics, as Grafana serves them to admins (the soak benchmark reads go_goroutines there).
		s := f.With(t).Replicas[0]
		if resp, body := s.Do("GET", "/api/plugins/"+harness.DefaultPluginID+"/metrics", "admin", nil, nil); resp.StatusCode != 200 ||
			!strings.Contains(string(body), "go_goroutines") {
			t.Fatalf("metrics: %d %.300s", resp.StatusCode, body)
		}
		if resp, _ := s.Do("GET", "/api/plugins/"+harness.DefaultPluginID+"/metrics", "viewer", nil, nil); resp.StatusCode != 403 {
			t.Fatalf("metrics for a viewer: %d", resp.StatusCode)
		}
	})

	t.Run("rate limits hold fleet-wide", func(t *testing.T) {
		f := f.With(t)
		// 30 calls, 6 at a time, round-robin over the replicas, for a limit of 5/s with a burst of 5.
		var allowed, limited atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		calls := make(chan struct{}, 30)
		for i := 0; i < 30; i++ {
			calls <- struct{}{}
		}
		close(calls)
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range calls {
					resp, body := f.Do("GET", res+"/proxy/api/items?limit=1", "viewer", nil, nil)
					switch resp.StatusCode {
					case 200:
						allowed.Add(1)
					case 429:
						limited.Add(1)
					default:
						t.Errorf("%d %s", resp.StatusCode, body)
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		// The burst, plus what refilled while the calls ran, within 20 %; each replica alone would have let 5 + refill through.
		most := 5 + int(1.2*5*elapsed.Seconds()) + 1
		t.Logf("fleet-wide 5/s burst 5: %d of 30 allowed in %s (at most %d; per replica it would be at least 15)", allowed.Load(), elapsed.Round(time.Millisecond), most)
		if a := int(allowed.Load()); a < 5 || a > most || a >= 15 {
			t.Fatalf("%d of 30 allowed in %s", a, elapsed)
		}
	})

	t.Run("an Idempotency-Key runs once across replicas", func(t *testing.T) {
		f := f.With(t)
		before := demoCount(t, demo, "/api/items")
		params := map[string]any{"params": map[string]any{"name": "fleet-once", "price": 3}}
		key := map[string]string{"Idempotency-Key": "fleet-key-1"}
		var bodies []string
		for i := 0; i < 6; i++ {
			resp, body := f.Do("POST", res+"/actions/create-item", "editor", params, key)
			var out struct{ Replayed bool }
			if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || out.Replayed != (i > 0) {
				t.Fatalf("call %d: %d %s", i, resp.StatusCode, body)
			}
			bodies = append(bodies, strings.Replace(string(body), `"replayed":true`, `"replayed":false`, 1))
		}
		for _, b := range bodies[1:] {
			if b != bodies[0] {
				t.Fatalf("replay differs:\n%s\n%s", bodies[0], b)
			}
		}
		if got := demoCount(t, demo, "/api/items") - before; got != 1 {
			t.Fatalf("%d upstream calls for one Idempotency-Key on three replicas", got)
		}
		other := map[string]any{"params": map[string]any{"name": "fleet-other", "price": 3}}
		if resp, body := f.Do("POST", res+"/actions/create-item", "editor", other, key); resp.StatusCode != 422 {
			t.Fatalf("key reused for other params: %d %s", resp.StatusCode, body)
		}

		// Concurrent duplicates on the other replicas: 409 while the first runs, then its answer.
		slowBefore := demoCount(t, demo, "/slow")
		slowKey := map[string]string{"Idempotency-Key": "fleet-slow-1"}
		first := make(chan int, 1)
		go func() {
			resp, _ := f.Replicas[0].Do("POST", res+"/actions/slow-op", "editor", map[string]any{}, slowKey)
			first <- resp.StatusCode
		}()
		time.Sleep(500 * time.Millisecond) // well inside the 1.5 s the upstream takes
		for _, s := range f.Replicas[1:] {
			resp, body := s.Do("POST", res+"/actions/slow-op", "editor", map[string]any{}, slowKey)
			if resp.StatusCode != 409 || decode(t, body)["code"] != "idempotency_in_progress" || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("concurrent duplicate: %d %s", resp.StatusCode, body)
			}
		}
		if code := <-first; code != 200 {
			t.Fatalf("first run: %d", code)
		}
		resp, body := f.Replicas[2].Do("POST", res+"/actions/slow-op", "editor", map[string]any{}, slowKey)
		if resp.StatusCode != 200 || decode(t, body)["replayed"] != true {
			t.Fatalf("after the first run: %d %s", resp.StatusCode, body)
		}
		if got := demoCount(t, demo, "/slow") - slowBefore; got != 1 {
			t.Fatalf("%d upstream calls", got)
		}
	})

	t.Run("audit on any replica lists the fleet's entries", func(t *testing.T) {
		f := f.With(t)
		// A denied call on replica 1 ...
		resp, _ := f.Replicas[1].Do("POST", res+"/actions/create-item", "viewer", map[string]any{"params": map[string]any{"name": "x", "price": 1}},
			map[string]string{"X-Request-Id": "fleet-denied-on-1"})
		if resp.StatusCode != 403 {
			t.Fatalf("viewer ran an Editor action: %d", resp.StatusCode)
		}
		// ... is listed on replica 2 (the entry travels in the background, within moments).
		e := waitAudit(t, f.Replicas[2], "fleet-denied-on-1", "fleet")
		if e["outcome"] != "denied" || e["login"] != "viewer" {
			t.Fatalf("entry: %v", e)
		}
		// And is still written as a log line on replica 1.
		if !strings.Contains(f.Replicas[1].DevHostLog(), "audit") {
			t.Fatal("no audit log line")
		}
	})

	t.Run("API key lockout is shared", func(t *testing.T) {
		f := f.With(t)
		// Five failures spread over three replicas: each replica alone would have counted at most two.
		for i := 0; i < 5; i++ {
			resp, body := f.Do("GET", res+"/info", "robot", nil, map[string]string{"X-API-Key": fmt.Sprint("guess-", i)})
			if resp.StatusCode != 403 {
				t.Fatalf("guess %d: %d %s", i, resp.StatusCode, body)
			}
		}
		for _, s := range f.Replicas {
			resp, body := s.Do("GET", res+"/info", "robot", nil, map[string]string{"X-API-Key": "key-ci"})
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("right key after five failures elsewhere: %d %s", resp.StatusCode, body)
			}
		}
		// Another caller is not locked out.
		if resp, body := f.Do("GET", res+"/info", "admin", nil, map[string]string{"X-API-Key": "key-ci"}); resp.StatusCode != 200 {
			t.Fatalf("admin: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("the query cache is shared, with one fetch for the fleet", func(t *testing.T) {
		f := f.With(t)
		query := func(s *harness.Stack, path string, params map[string]any) {
			q := map[string]any{"from": "now-1h", "to": "now", "queries": []any{map[string]any{"refId": "A",
				"datasource": map[string]any{"uid": uid}, "path": path, "params": params, "cacheTTL": "1m"}}}
			if resp, body := s.Do("POST", "/api/ds/query", "editor", q, nil); resp.StatusCode != 200 {
				t.Errorf("query on a replica: %d %.300s", resp.StatusCode, body)
			}
		}
		before := demoCount(t, demo, "/api/items")
		for _, s := range f.Replicas {
			query(s, "/api/items", map[string]any{"limit": "7", "k": "fleet-cache"})
		}
		if got := demoCount(t, demo, "/api/items") - before; got != 1 {
			t.Fatalf("%d upstream calls for one cached query on three replicas", got)
		}
		// Three replicas miss at once: one fetches for the fleet, the others wait for its entry.
		slowBefore := demoCount(t, demo, "/slow")
		var wg sync.WaitGroup
		for _, s := range f.Replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				query(s, "/slow", map[string]any{"delay": "1s"})
			}()
		}
		wg.Wait()
		if got := demoCount(t, demo, "/slow") - slowBefore; got != 1 {
			t.Fatalf("%d upstream calls for three concurrent identical queries on three replicas", got)
		}
	})

	t.Run("Redis stops answering", func(t *testing.T) {
		f := f.With(t)
		r.Pause()
		defer r.Resume()
		// Each Redis call gives up after its own short timeout: reads are served, an idempotent action is refused.
		for i := 0; i < 3; i++ {
			if resp, body := f.Do("GET", res+"/proxy/api/items?limit=1", "editor", nil, nil); resp.StatusCode != 200 {
				t.Fatalf("read while Redis hangs: %d %s", resp.StatusCode, body)
			}
		}
		resp, body := f.Do("POST", res+"/actions/create-item", "editor", map[string]any{"params": map[string]any{"name": "hang", "price": 1}},
			map[string]string{"Idempotency-Key": "fleet-hang-1"})
		if resp.StatusCode != 503 || decode(t, body)["code"] != "shared_state_unavailable" {
			t.Fatalf("idempotent action while Redis hangs: %d %s", resp.StatusCode, body)
		}
		r.Resume()
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, body := f.Do("POST", res+"/actions/create-item", "editor", map[string]any{"params": map[string]any{"name": "hang", "price": 1}},
				map[string]string{"Idempotency-Key": "fleet-hang-1"})
			if resp.StatusCode == 200 {
				break
			}
			if resp.StatusCode != 503 || time.Now().After(deadline) {
				t.Fatalf("after resuming: %d %s", resp.StatusCode, body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("Redis killed and restarted mid-run", func(t *testing.T) {
		f := f.With(t)
		r.Kill()
		// Reads keep working, under each replica's own limits.
		for i := 0; i < 6; i++ {
			if resp, body := f.Do("GET", res+"/proxy/api/items?limit=1", "editor", nil, nil); resp.StatusCode != 200 {
				t.Fatalf("read while Redis is down: %d %s", resp.StatusCode, body)
			}
		}
		for i := 0; i < 3; i++ {
			q := map[string]any{"from": "now-1h", "to": "now", "queries": []any{map[string]any{"refId": "A",
				"datasource": map[string]any{"uid": uid}, "path": "/api/items", "params": map[string]any{"limit": "2"},
				"pipeline": map[string]any{"root": "items"}}}}
			if resp, body := f.Do("POST", "/api/ds/query", "editor", q, nil); resp.StatusCode != 200 {
				t.Fatalf("query while Redis is down: %d %s", resp.StatusCode, body)
			}
		}
		// An action with an Idempotency-Key is not run: it could run twice.
		before := demoCount(t, demo, "/api/items")
		resp, body := f.Do("POST", res+"/actions/create-item", "editor", map[string]any{"params": map[string]any{"name": "outage", "price": 1}},
			map[string]string{"Idempotency-Key": "fleet-outage-1"})
		if resp.StatusCode != 503 || decode(t, body)["code"] != "shared_state_unavailable" {
			t.Fatalf("idempotent action while Redis is down: %d %s", resp.StatusCode, body)
		}
		if got := demoCount(t, demo, "/api/items") - before; got != 0 {
			t.Fatalf("the action ran %d times", got)
		}
		// Without a key it runs as alone.
		if resp, body := f.Do("POST", res+"/actions/create-item", "editor", map[string]any{"params": map[string]any{"name": "outage", "price": 1}}, nil); resp.StatusCode != 200 {
			t.Fatalf("action without a key: %d %s", resp.StatusCode, body)
		}
		// Audit entries made meanwhile are kept: this replica lists its own.
		f.Replicas[0].Do("POST", res+"/actions/create-item", "viewer", map[string]any{"params": map[string]any{"name": "x", "price": 1}},
			map[string]string{"X-Request-Id": "fleet-denied-during-outage"})
		waitAudit(t, f.Replicas[0], "fleet-denied-during-outage", "replica")
		// Health says so, without the password.
		resp, body = f.Replicas[1].Do("GET", "/api/datasources/uid/"+uid+"/health", "admin", nil, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "unavailable") || strings.Contains(string(body), redisPassword) {
			t.Fatalf("health while Redis is down: %d %s", resp.StatusCode, body)
		}

		r.Restart()
		// Reconnected without a restart: the idempotent action runs again, and the entry made during the
		// outage reaches the fleet's log.
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, body := f.Replicas[1].Do("POST", res+"/actions/create-item", "editor", map[string]any{"params": map[string]any{"name": "after", "price": 1}},
				map[string]string{"Idempotency-Key": "fleet-after-1"})
			if resp.StatusCode == 200 {
				break
			}
			if resp.StatusCode != 503 || time.Now().After(deadline) {
				t.Fatalf("after the restart: %d %s", resp.StatusCode, body)
			}
			time.Sleep(200 * time.Millisecond)
		}
		waitAudit(t, f.Replicas[2], "fleet-denied-during-outage", "fleet")
		for _, s := range f.Replicas {
			if !pids[s.PluginPID] || s.DevHostPID == 0 {
				t.Fatal("a plugin process was replaced")
			}
			resp, _ := s.Do("GET", "/api/devhost/plugin", "", nil, nil)
			var info struct{ PID int }
			json.NewDecoder(resp.Body).Decode(&info)
			if info.PID != s.PluginPID {
				t.Fatalf("plugin restarted: pid %d, was %d", info.PID, s.PluginPID)
			}
		}
	})
}

// waitAudit polls GET /audit on s until it lists the entry with the client's request id, in scope.
func waitAudit(t *testing.T, s *harness.Stack, clientID, scope string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, body := s.Do("GET", res+"/audit", "admin", nil, nil)
		var out struct {
			Entries []map[string]any
			Scope   string
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("audit: %d %s", resp.StatusCode, body)
		}
		if out.Scope == scope {
			for _, e := range out.Entries {
				if e["clientRequestId"] == clientID {
					return e
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no audit entry %s in scope %s: %.2000s", clientID, scope, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
