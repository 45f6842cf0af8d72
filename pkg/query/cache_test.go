package query_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/cache/cachetest"
	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
)

// counting is an upstream that counts calls per path and answers with the
// count, so a test sees whether an answer was fetched or cached.
type counting struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
	gate  chan struct{} // /slow waits on it
	seen  []string      // Authorization and X-Grafana-User of each call
}

func newCounting(t *testing.T) *counting {
	u := &counting{calls: map[string]int{}, gate: make(chan struct{})}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.calls[r.URL.Path]++
		n := u.calls[r.URL.Path]
		u.seen = append(u.seen, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Grafana-User"))
		u.mu.Unlock()
		switch r.URL.Path {
		case "/slow":
			<-u.gate
		case "/nostore":
			w.Header().Set("Cache-Control", "no-store")
		case "/private":
			w.Header().Set("Cache-Control", "private, max-age=60")
		case "/short":
			w.Header().Set("Cache-Control", "max-age=2")
		case "/pages":
			page := r.URL.Query().Get("page")
			if page == "" {
				page = "1"
			}
			if page == "3" {
				fmt.Fprint(w, `{"items":[]}`)
				return
			}
			fmt.Fprintf(w, `{"items":[{"page":%s,"calls":%d},{"page":%s,"calls":%d}]}`, page, n, page, n)
			return
		}
		fmt.Fprintf(w, `[{"calls":%d,"q":%q},{"calls":%d,"q":"second"}]`, n, r.URL.RawQuery, n)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *counting) count(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[path]
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const cacheJSON = `{"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true}%s}`

var rigs atomic.Int64

type cacheRig struct {
	r     runner
	clock *clock
	up    *counting
}

func newCacheRig(t *testing.T, extra string, remote *cachetest.Remote) *cacheRig {
	t.Helper()
	up := newCounting(t)
	return newCacheRigFor(t, up, extra, remote, "")
}

// newCacheRigFor builds an instance on up; replicas of one data source share its uid.
func newCacheRigFor(t *testing.T, up *counting, extra string, remote *cachetest.Remote, uid string) *cacheRig {
	t.Helper()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if uid == "" {
		uid = fmt.Sprintf("qc-%d", rigs.Add(1))
	}
	cfg := plugintest.Config{UID: uid, URL: up.srv.URL, JSONData: fmt.Sprintf(cacheJSON, extra), Now: c.now,
		Secure: map[string]string{"bearerToken": "svc-token"}}
	if remote != nil {
		cfg.Remote = remote
	}
	return &cacheRig{r: newRunnerWith(t, cfg), clock: c, up: up}
}

// as runs one query as login (role Viewer unless it is "admin"; "" is no user, as for alert rules).
func (rig *cacheRig) as(ctx context.Context, login, js string) backend.DataResponse {
	pc := backend.PluginContext{OrgID: 1}
	if login != "" {
		role := "Viewer"
		if login == "admin" {
			role = "Admin"
		}
		pc.User = &backend.User{Login: login, Role: role}
	}
	headers := map[string]string{"Authorization": "Bearer token-of-" + login}
	if login == "" {
		// No user: an alert rule's evaluation, which Grafana marks with FromAlert.
		headers[backend.FromAlertHeaderName] = "true"
	}
	resp := rig.r.QueryData(ctx, &backend.QueryDataRequest{PluginContext: pc, Queries: []backend.DataQuery{query("A", js)},
		Headers: headers})
	return resp.Responses["A"]
}

func (rig *cacheRig) run(t *testing.T, login, js string) (calls float64, notices []string) {
	t.Helper()
	dr := rig.as(context.Background(), login, js)
	if dr.Error != nil || len(dr.Frames) == 0 {
		t.Fatalf("%s: %v", js, dr.Error)
	}
	f := dr.Frames[0]
	if fl, _ := f.FieldByName("calls"); fl != nil {
		if v, ok := fl.ConcreteAt(0); ok {
			calls, _ = v.(float64)
		}
	}
	if f.Meta != nil {
		for _, n := range f.Meta.Notices {
			notices = append(notices, n.Text)
		}
	}
	return calls, notices
}

func TestQueryCacheIdenticalConcurrentQueriesMakeOneCall(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	const n = 12
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if dr := rig.as(context.Background(), fmt.Sprint("user", i), `{"path":"/slow","cacheTTL":"30s"}`); dr.Error != nil {
				failed.Add(1)
			}
		}()
	}
	// Let every query reach the cache, then let the one upstream call answer.
	deadline := time.Now().Add(5 * time.Second)
	for rig.up.count("/slow") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	close(rig.up.gate)
	wg.Wait()
	if failed.Load() != 0 || rig.up.count("/slow") != 1 {
		t.Fatalf("%d failed; %d upstream calls for %d identical queries, want 1", failed.Load(), rig.up.count("/slow"), n)
	}
	// And the next one is a hit.
	if calls, notices := rig.run(t, "late", `{"path":"/slow","cacheTTL":"30s"}`); calls != 1 || len(notices) != 1 ||
		!strings.Contains(notices[0], "served from Relay's query cache: age 0s (cacheTTL 30s)") {
		t.Fatalf("calls %v notices %q", calls, notices)
	}
}

func TestQueryCacheDifferentPipelinesShareOneFetch(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	a, _ := rig.run(t, "ada", `{"path":"/x","cacheTTL":"1m","pipeline":{"steps":[{"type":"limit","count":1}]}}`)
	b, notices := rig.run(t, "bob", `{"path":"/x","cacheTTL":"1m","format":"table","pipeline":{"steps":[{"type":"limit","count":2}]}}`)
	if a != 1 || b != 1 || rig.up.count("/x") != 1 || len(notices) != 1 {
		t.Fatalf("calls %v %v, upstream %d, notices %q", a, b, rig.up.count("/x"), notices)
	}
	// Anything of the request itself is another question.
	for _, js := range []string{
		`{"path":"/x","cacheTTL":"1m","params":{"a":"1"}}`,
		`{"path":"/x","cacheTTL":"1m","headers":{"X-Tenant":"t1"}}`,
		`{"path":"/x","cacheTTL":"1m","params":{"a":"2"}}`,
	} {
		if c, _ := rig.run(t, "ada", js); c == 1 {
			t.Errorf("%s was served another request's answer", js)
		}
	}
}

func TestQueryCachePaginatedPagesAreShared(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	q := `{"path":"/pages","cacheTTL":"1m","pagination":{"mode":"page"},"pipeline":{"root":"items"%s}}`
	rig.run(t, "ada", fmt.Sprintf(q, ""))
	dr := rig.as(context.Background(), "bob", fmt.Sprintf(q, `,"steps":[{"type":"filter","expr":"page == 2"}]`))
	if dr.Error != nil || rig.up.count("/pages") != 3 {
		t.Fatalf("%v; %d page calls, want the 3 of the first query", dr.Error, rig.up.count("/pages"))
	}
	if n, _ := dr.Frames[0].RowLen(); n != 2 {
		t.Fatalf("%d rows after the second query's own filter, want 2", n)
	}
}

func TestQueryCacheKeysPerUserWhenTheUpstreamSeesTheUser(t *testing.T) {
	cases := map[string]struct{ jsonData, query string }{
		"shared service credential": {`,"auth":{"type":"bearer"}`, `{"path":"/x","cacheTTL":"1m"}`},
		"forwardOAuth":              {`,"auth":{"type":"forwardOAuth"}`, `{"path":"/x","cacheTTL":"1m"}`},
		"sendUserHeader":            {`,"auth":{"type":"bearer"},"sendUserHeader":true`, `{"path":"/x","cacheTTL":"1m"}`},
		"${__user.login} in params": {`,"auth":{"type":"bearer"}`, `{"path":"/x","cacheTTL":"1m","params":{"who":"${__user.login}"}}`},
		"${__user.email} in a header": {`,"auth":{"type":"bearer"}`,
			`{"path":"/x","cacheTTL":"1m","headers":{"X-Who":"${__user.email}"}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rig := newCacheRig(t, tc.jsonData, nil)
			rig.run(t, "ada", tc.query)
			rig.run(t, "ada", tc.query)
			rig.run(t, "bob", tc.query)
			want := 2
			if name == "shared service credential" {
				want = 1
			}
			if got := rig.up.count("/x"); got != want {
				t.Fatalf("%d upstream calls for ada, ada, bob; want %d", got, want)
			}
		})
	}
}

func TestQueryCacheHonoursNoStoreAndPrivate(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	for _, path := range []string{"/nostore", "/private"} {
		for i := 1; i <= 2; i++ {
			if calls, notices := rig.run(t, "ada", `{"path":"`+path+`","cacheTTL":"1m"}`); calls != float64(i) || len(notices) != 0 {
				t.Fatalf("%s call %d: calls %v notices %q", path, i, calls, notices)
			}
		}
	}
	// max-age shortens the query's TTL.
	rig.run(t, "ada", `{"path":"/short","cacheTTL":"1m"}`)
	rig.clock.add(3 * time.Second)
	if calls, _ := rig.run(t, "ada", `{"path":"/short","cacheTTL":"1m"}`); calls != 2 {
		t.Fatalf("max-age=2 kept the answer for 3s: calls %v", calls)
	}
}

func TestQueryCacheNoticeAgeAndExpiry(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	q := `{"path":"/x","cacheTTL":"10s"}`
	if _, notices := rig.run(t, "ada", q); len(notices) != 0 {
		t.Fatalf("a fetched answer has no cache notice: %q", notices)
	}
	rig.clock.add(7 * time.Second)
	if calls, notices := rig.run(t, "ada", q); calls != 1 || len(notices) != 1 || !strings.Contains(notices[0], "age 7s (cacheTTL 10s)") {
		t.Fatalf("calls %v notices %q", calls, notices)
	}
	rig.clock.add(4 * time.Second)
	if calls, notices := rig.run(t, "ada", q); calls != 2 || len(notices) != 0 {
		t.Fatalf("expired: calls %v notices %q", calls, notices)
	}
	// "0s" never caches, whatever a rule says.
	rig.run(t, "ada", `{"path":"/y","cacheTTL":"0s"}`)
	if calls, _ := rig.run(t, "ada", `{"path":"/y","cacheTTL":"0s"}`); calls != 2 {
		t.Fatalf("cacheTTL 0s cached: %v", calls)
	}
}

func TestQueryCacheRuleDefaultIsForUsersOnly(t *testing.T) {
	rig := newCacheRig(t, `,"proxy":{"rules":[{"path":"/","methods":["GET"],"minRole":"Viewer"},
		{"path":"/cached","methods":["GET"],"minRole":"Viewer","cacheTTL":"30s"}]}`, nil)
	rig.run(t, "ada", `{"path":"/cached"}`)
	if calls, notices := rig.run(t, "ada", `{"path":"/cached"}`); calls != 1 || len(notices) != 1 ||
		!strings.Contains(notices[0], "cacheTTL 30s from the proxy rule /cached") {
		t.Fatalf("rule default: calls %v notices %q", calls, notices)
	}
	// An alert rule (no user) is never served a cached answer it did not ask for...
	if calls, _ := rig.run(t, "", `{"path":"/cached"}`); calls != 2 {
		t.Fatalf("background query served from the cache: calls %v", calls)
	}
	// ...unless its query sets cacheTTL.
	rig.run(t, "", `{"path":"/cached","params":{"b":"1"},"cacheTTL":"1m"}`)
	if calls, _ := rig.run(t, "", `{"path":"/cached","params":{"b":"1"},"cacheTTL":"1m"}`); calls != 3 {
		t.Fatalf("background query with cacheTTL: calls %v", calls)
	}
}

func TestQueryCacheServesOnlyCallersTheRulesAdmit(t *testing.T) {
	rig := newCacheRig(t, `,"proxy":{"rules":[{"path":"/x","methods":["GET"],"minRole":"Admin"}]}`, nil)
	if calls, _ := rig.run(t, "admin", `{"path":"/x","cacheTTL":"1m"}`); calls != 1 {
		t.Fatal("admin's fetch")
	}
	dr := rig.as(context.Background(), "viewer", `{"path":"/x","cacheTTL":"1m"}`)
	if dr.Error == nil || dr.Status != backend.StatusForbidden || len(dr.Frames) != 0 {
		t.Fatalf("a Viewer got the Admin's cached answer: %+v", dr)
	}
}

func TestQueryCacheStaleWhileRevalidate(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	q := `{"path":"/x","cacheTTL":"10s","staleWhileRevalidate":"1m"}`
	rig.run(t, "ada", q)
	rig.clock.add(15 * time.Second)
	calls, notices := rig.run(t, "ada", q)
	if calls != 1 || len(notices) != 1 || !strings.Contains(notices[0], "served stale from Relay's query cache: age 15s, expired 5s ago") {
		t.Fatalf("stale: calls %v notices %q", calls, notices)
	}
	// One background refresh, under the query's grant.
	deadline := time.Now().Add(5 * time.Second)
	for rig.up.count("/x") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the refresh stores its entry after the call
	if calls, notices := rig.run(t, "ada", q); calls != 2 || rig.up.count("/x") != 2 || len(notices) != 1 || !strings.Contains(notices[0], "age 0s") {
		t.Fatalf("after the refresh: calls %v (upstream %d) notices %q", calls, rig.up.count("/x"), notices)
	}
	// Past the stale window, a plain fetch.
	rig.clock.add(2 * time.Minute)
	if calls, notices := rig.run(t, "ada", q); calls != 3 || len(notices) != 0 {
		t.Fatalf("past the window: calls %v notices %q", calls, notices)
	}
}

func TestQueryCacheRefusesWritingMethods(t *testing.T) {
	rig := newCacheRig(t, "", nil)
	dr := rig.as(context.Background(), "ada", `{"path":"/x","method":"DELETE","cacheTTL":"1m"}`)
	if dr.Error == nil || dr.Status != 400 || !strings.Contains(dr.Error.Error(), "cacheTTL") || rig.up.count("/x") != 0 {
		t.Fatalf("%+v", dr)
	}
	dr = rig.as(context.Background(), "ada", `{"path":"/x","cacheTTL":"soon"}`)
	if dr.Error == nil || dr.Status != 400 {
		t.Fatalf("%+v", dr)
	}
}

// Two instances on one shared tier stand in for two replicas.
func TestQueryCacheSharedTier(t *testing.T) {
	remote := cachetest.New(nil)
	up := newCounting(t)
	uid := fmt.Sprintf("qc-fleet-%d", rigs.Add(1))
	a := newCacheRigFor(t, up, "", remote, uid)
	b := newCacheRigFor(t, up, "", remote, uid)
	q := `{"path":"/x","cacheTTL":"1m"}`
	a.run(t, "ada", q)
	calls, notices := b.run(t, "bob", q)
	if calls != 1 || up.count("/x") != 1 || len(notices) != 1 || !strings.Contains(notices[0], "fetched by another replica") {
		t.Fatalf("replica b: calls %v upstream %d notices %q", calls, up.count("/x"), notices)
	}
	for _, k := range remote.Keys() {
		if strings.Contains(k, "/x") || strings.Contains(k, "ada") || len(k) != 64 {
			t.Fatalf("a readable key in the shared tier: %q", k)
		}
	}
	if remote.Count("Release") != 1 {
		t.Fatalf("the fetching replica released %d claims, want 1", remote.Count("Release"))
	}
}

func TestQueryCacheSharedTierDownFallsBackToLocal(t *testing.T) {
	remote := cachetest.New(nil)
	remote.SetDown(true)
	up := newCounting(t)
	uid := fmt.Sprintf("qc-fleet-%d", rigs.Add(1))
	a := newCacheRigFor(t, up, "", remote, uid)
	b := newCacheRigFor(t, up, "", remote, uid)
	q := `{"path":"/x","cacheTTL":"1m"}`
	a.run(t, "ada", q)
	a.run(t, "ada", q) // local hit
	b.run(t, "bob", q) // no shared tier: its own call
	if up.count("/x") != 2 {
		t.Fatalf("%d upstream calls, want one per replica", up.count("/x"))
	}
}

func TestQueryCacheLeadHeldByAnotherReplica(t *testing.T) {
	remote := cachetest.New(nil)
	remote.SetHeldByOther(true)
	rig := newCacheRig(t, "", remote)
	// The other replica never stores its answer: this one waits for it until
	// half its deadline, then fetches itself.
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	dr := rig.as(ctx, "ada", `{"path":"/x","cacheTTL":"1m"}`)
	if dr.Error != nil || rig.up.count("/x") != 1 || remote.Count("Get") < 2 {
		t.Fatalf("%v; %d upstream calls, %d polls of the shared tier", dr.Error, rig.up.count("/x"), remote.Count("Get"))
	}
}

// Cross-replica single flight: while replica a fetches (holding the claim),
// replica b waits for a's entry instead of calling the upstream.
func TestQueryCacheWaitsForTheLeadingReplica(t *testing.T) {
	remote := cachetest.New(nil)
	up := newCounting(t)
	uid := fmt.Sprintf("qc-fleet-%d", rigs.Add(1))
	a := newCacheRigFor(t, up, "", remote, uid)
	b := newCacheRigFor(t, up, "", remote, uid)
	q := `{"path":"/slow","cacheTTL":"1m"}`
	resA, resB := make(chan backend.DataResponse, 1), make(chan backend.DataResponse, 1)
	go func() { resA <- a.as(context.Background(), "ada", q) }()
	deadline := time.Now().Add(5 * time.Second)
	for up.count("/slow") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		resB <- b.as(ctx, "bob", q)
	}()
	for remote.Count("Get") < 3 && time.Now().Before(deadline) { // b's lookup, then its polls
		time.Sleep(5 * time.Millisecond)
	}
	close(up.gate)
	da, db := <-resA, <-resB
	if da.Error != nil || db.Error != nil || up.count("/slow") != 1 {
		t.Fatalf("%v %v; %d upstream calls, want 1 for both replicas", da.Error, db.Error, up.count("/slow"))
	}
	if n := db.Frames[0].Meta.Notices; len(n) != 1 || !strings.Contains(n[0].Text, "shared the answer of an identical query") {
		t.Fatalf("replica b's notice: %+v", n)
	}
}
