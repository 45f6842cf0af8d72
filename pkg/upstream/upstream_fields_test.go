package upstream

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

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
	if err != nil {
		t.Fatalf("%v", err)
	}
	c, err := New(s.View("slow"), Options{Logger: log.NewNullLogger()})
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(c.Close)
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	e := doErr(t, c, req)
	if got, want := e.Kind, KindTimeout; !reflect.DeepEqual(got, want) {
		t.Fatalf("e.Kind = %v, want %v", got, want)
	}
	if got, want := e.Setting, "jsonData.upstreams[1].timeouts.request"; got != want {
		t.Fatalf("e.Setting = %v, want %v", got, want)
	}
	if !strings.Contains(e.Error(), "jsonData.upstreams[1].timeouts.request") {
		t.Fatalf("%q does not contain %q", e.Error(), "jsonData.upstreams[1].timeouts.request")
	}
}

// The client's own construction errors for a named upstream name that
// upstream's settings (nothing renames them afterwards).
func TestNamedUpstreamClientErrorsNameTheirOwnSettings(t *testing.T) {
	s, err := settings.Parse(backend.DataSourceInstanceSettings{URL: "https://main.example",
		JSONData: []byte(`{"upstreams":[{"name":"other","url":"https://other.example"},
			{"name":"tls","url":"https://tls.example"}]}`),
		DecryptedSecureJSONData: map[string]string{"upstreams.tls.tlsCACert": "not pem"}})
	if err != nil {
		t.Fatalf("%v", err)
	}
	_, err = New(s.View("tls"), Options{Logger: log.NewNullLogger()})
	es, ok := settings.AsErrors(err)
	if !ok || len(es) != 1 {
		t.Fatalf("want one settings error, got %v", err)
	}
	if got, want := es[0].Field, "secureJsonData.upstreams.tls.tlsCACert"; got != want {
		t.Fatalf("field = %q, want %q", got, want)
	}
	if _, err := New(s, Options{Logger: log.NewNullLogger()}); err != nil {
		t.Fatalf("the default upstream has no CA: %v", err)
	}
}
