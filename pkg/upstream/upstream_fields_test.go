package upstream

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/stretchr/testify/require"

	"github.com/relay-gateway/relay/pkg/settings"
)

// A named upstream's errors name its own settings, not the default upstream's.
func TestNamedUpstreamErrorsNameTheirOwnSettings(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://main.example", JSONData: []byte(`{"upstreams":[
		{"name":"other","url":"https://other.example"},
		{"name":"slow","url":"` + srv.URL + `","timeouts":{"request":"100ms"},"network":{"allowedCIDRs":["127.0.0.1/32"]}}]}`)})
	require.NoError(t, err)
	c, err := New(s.Upstream("slow"), Options{Logger: log.NewNullLogger()})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	require.NoError(t, err)
	e := doErr(t, c, req)
	require.Equal(t, KindTimeout, e.Kind)
	require.Equal(t, "jsonData.upstreams[1].timeouts.request", e.Setting)
	require.Contains(t, e.Error(), "jsonData.upstreams[1].timeouts.request")
}
