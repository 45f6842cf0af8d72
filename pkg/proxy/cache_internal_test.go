package proxy

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Without a caching rule the gateway carries no cache at all (one nil check).
func TestNoCacheWithoutCachingRules(t *testing.T) {
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "http://127.0.0.1:1", JSONData: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if newResponseCache(s.UID, &s.Upstream, time.Now) != nil {
		t.Fatal("a cache was built although no rule caches")
	}
}
