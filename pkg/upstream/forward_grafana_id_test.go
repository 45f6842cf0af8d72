package upstream

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

const testIDToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJl"

func TestForwardGrafanaIDToken(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	on := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "forwardGrafanaIdToken": true}})
	off := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})

	incoming := http.Header{}
	incoming.Set("X-Grafana-Id", testIDToken)

	t.Run("resource call headers, opted in", func(t *testing.T) {
		s := get(t, on, WithForwardedHeaders(context.Background(), incoming), "/")
		if got := s.Header.Get("X-Grafana-Id"); got != testIDToken {
			t.Errorf("X-Grafana-Id = %q, want the caller's token", got)
		}
	})
	t.Run("QueryData headers, opted in", func(t *testing.T) {
		q := &backend.QueryDataRequest{Headers: map[string]string{}}
		q.SetHTTPHeader(backend.GrafanaUserSignInTokenHeaderName, testIDToken) // what Grafana's ForwardIDMiddleware does
		s := get(t, on, WithForwardedHeaders(context.Background(), q.GetHTTPHeaders()), "/")
		if got := s.Header.Get("X-Grafana-Id"); got != testIDToken {
			t.Errorf("X-Grafana-Id = %q, want the caller's token", got)
		}
	})
	t.Run("never when off", func(t *testing.T) {
		s := get(t, off, WithForwardedHeaders(context.Background(), incoming), "/")
		if got := s.Header.Get("X-Grafana-Id"); got != "" {
			t.Errorf("X-Grafana-Id = %q sent by an upstream without forwardGrafanaIdToken", got)
		}
	})
	t.Run("only the recorded token, never a header on the outgoing request", func(t *testing.T) {
		// The proxy copies the client's request headers; a client's X-Grafana-Id among them must not
		// reach the upstream, whatever the setting.
		for name, c := range map[string]*Client{"on": on, "off": off} {
			req, err := c.NewRequest(WithForwardedHeaders(context.Background(), http.Header{}), http.MethodGet, "/", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Grafana-Id", testIDToken)
			s := doSeen(t, c, req)
			if got := s.Header.Get("X-Grafana-Id"); got != "" {
				t.Errorf("%s: X-Grafana-Id = %q copied from the request, want none", name, got)
			}
		}
	})
	t.Run("not a JWT: not forwarded", func(t *testing.T) {
		for _, v := range []string{"plain", "a.b", "a.b.c.d", "a..c", "a.b c.d", "a.b.c\r\nX-Evil: 1", strings.Repeat("a", 9000) + ".b.c"} {
			h := http.Header{}
			h["X-Grafana-Id"] = []string{v}
			s := get(t, on, WithForwardedHeaders(context.Background(), h), "/")
			if got := s.Header.Get("X-Grafana-Id"); got != "" {
				t.Errorf("%.20q: forwarded as %.20q, want nothing", v, got)
			}
		}
	})
}
