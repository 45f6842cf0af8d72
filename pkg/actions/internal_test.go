package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

func TestIdempotencyStoreIsBounded(t *testing.T) {
	now := time.Now()
	s := newIdempotencyStore(func() time.Time { return now })
	s.maxItems, s.maxBytes = 50, 20_000
	for i := 0; i < 500; i++ {
		body := strings.Repeat("x", i%7*300)
		s.do(context.Background(), fmt.Sprint(i), [32]byte{}, func() outcome {
			return outcome{result: &Result{Body: body, bodyBytes: len(body)}, status: 200}
		})
		if n, b := s.len(); n > 50 || b > 20_000 {
			t.Fatalf("after %d: %d entries, %d bytes", i, n, b)
		}
	}
	// A panicking run releases its waiters.
	func() {
		defer func() { _ = recover() }()
		s.do(context.Background(), "p", [32]byte{}, func() outcome { panic("boom") })
	}()
	out, _ := s.do(context.Background(), "p", [32]byte{}, func() outcome { return outcome{status: 200, result: &Result{}} })
	if out.result == nil {
		t.Fatal("the key of a panicked run stayed blocked")
	}
}

func TestCompileErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"name":"a","method":"GET","path":"/x/{nope}"}`:                                                             "{nope}",
		`{"name":"a","method":"GET","path":"/x?y=1"}`:                                                                "path",
		`{"name":"a","method":"GET","path":"/x/../y"}`:                                                               "'..'",
		`{"name":"a","method":"GET","path":"/x//y"}`:                                                                 "empty segment",
		`{"name":"a","method":"GET","path":"/x/{a"}`:                                                                 "placeholders",
		`{"name":"a","method":"GET","path":"/x","query":{"q":"{{b}}"}}`:                                              "{b}",
		`{"name":"a","method":"POST","path":"/x","body":{"{{k}}":1}}`:                                                "object keys",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"integer","pattern":"x"}]}`:             "pattern",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"integer","default":"x"}]}`:             "default",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"string","enum":["a"],"default":"b"}]}`: "default",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"number","min":2,"max":1}]}`:            "min",
	}
	for js, frag := range cases {
		var a settings.Action
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			t.Fatal(err)
		}
		_, err := compile(a, 3)
		if err == nil || !strings.Contains(err.Error(), "jsonData.actions[3]") || !strings.Contains(err.Error(), frag) {
			t.Errorf("%s: %v", js, err)
		}
	}
}

// A refusal by the gate (the caller's policy) answers with the policy's own
// status and code, as the proxy and queries do, not as an upstream failure
// (403 upstream_denied).
func TestGateRefusalKeepsThePolicysError(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	t.Cleanup(up.Close)
	s, err := settings.Parse(backend.DataSourceInstanceSettings{UID: "ds", URL: up.URL, JSONData: []byte(`{"network":{"allowPrivateNetworks":true}}`)})
	if err != nil {
		t.Fatal(err)
	}
	limited := apierr.New(http.StatusTooManyRequests, "rate_limited", "slow down")
	client, err := upstream.New(s.DataSource(), &s.Upstream, upstream.Options{Gate: func(context.Context, string, *url.URL, string) error { return limited }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	req, _ := http.NewRequest(http.MethodGet, up.URL+"/x", nil)
	out := (&Service{}).call(req, &action{Action: settings.Action{Name: "x"}, client: client})
	if out.err == nil || out.err.Status != http.StatusTooManyRequests || out.err.Code != "rate_limited" {
		t.Fatalf("gate refusal: %+v", out.err)
	}
}
