package proxy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/cache/cachetest"
	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
)

// Two instances of one data source on one shared tier stand in for two
// Grafana replicas: what one fetched, the other serves.
func TestCacheSharedTierAcrossReplicas(t *testing.T) {
	u := newCacheUpstream(t)
	remote := cachetest.New(nil)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	replica := func() *cacheFixture {
		i := plugintest.New(t, plugintest.Config{UID: "cache-fleet-" + t.Name(), URL: u.srv.URL + "/base",
			JSONData: fmt.Sprintf(cacheRules, 1<<20), Now: clock.now, Remote: remote})
		return &cacheFixture{handler: i, inst: i, clock: clock}
	}
	a, b := replica(), replica()
	expectCache(t, a.get("/plain?k=1", "Viewer"), 200, "MISS", `{"calls":1,"q":"k=1"}`)
	expectCache(t, b.get("/plain?k=1", "Viewer"), 200, "HIT", `{"calls":1,"q":"k=1"}`)
	expectCache(t, b.get("/plain?k=1", "Viewer"), 200, "HIT", `{"calls":1,"q":"k=1"}`) // now in b's own tier
	if u.callsTo("/plain") != 1 {
		t.Fatalf("%d upstream calls for one answer on two replicas", u.callsTo("/plain"))
	}
	// Roles stay apart across replicas too.
	expectCache(t, b.get("/plain?k=1", "Editor"), 200, "MISS", `{"calls":2,"q":"k=1"}`)
	// no-store never reaches the shared tier.
	before := len(remote.Keys())
	expectCache(t, a.get("/nostore", "Viewer"), 200, "MISS", "")
	if len(remote.Keys()) != before {
		t.Fatal("a no-store answer was shared")
	}
	// The shared tier failing leaves each replica its own cache.
	remote.SetDown(true)
	expectCache(t, a.get("/plain?k=2", "Viewer"), 200, "MISS", "")
	expectCache(t, a.get("/plain?k=2", "Viewer"), 200, "HIT", "")
	expectCache(t, b.get("/plain?k=2", "Viewer"), 200, "MISS", "")
}
