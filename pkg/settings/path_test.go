package settings

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Each upstream names its fields by its own place in the settings.
func TestPathNamesFieldsInPlace(t *testing.T) {
	s, err := Parse(backend.DataSourceInstanceSettings{URL: "https://main.example",
		JSONData: []byte(`{"upstreams":[{"name":"a","url":"https://a.example"},{"name":"b","url":"https://b.example"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ got, want string }{
		{s.Path().JSON("auth.type"), "jsonData.auth.type"},
		{s.Path().Secret("tlsCACert"), "secureJsonData.tlsCACert"},
		{s.Path().URL(), "url"},
		{s.Lookup("b").Path().JSON("auth.type"), "jsonData.upstreams[1].auth.type"},
		{s.Lookup("b").Path().JSON(""), "jsonData.upstreams[1]"},
		{s.Lookup("b").Path().Secret("tlsCACert"), "secureJsonData.upstreams.b.tlsCACert"},
		{s.Lookup("a").Path().URL(), "jsonData.upstreams[0].url"},
		{(*Upstream)(nil).Path().URL(), "url"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

// A named upstream's validation errors carry its path from the start, for
// its URL, jsonData fields and secrets alike.
func TestNamedUpstreamValidationNamesOwnPath(t *testing.T) {
	_, err := Parse(backend.DataSourceInstanceSettings{URL: "https://main.example",
		JSONData: []byte(`{"upstreams":[{"name":"ok","url":"https://ok.example"},
			{"name":"bad","url":"ftp://bad.example","auth":{"type":"basic"},"network":{"maxRedirects":11},
			 "proxy":{"rules":[{"path":"x","methods":["GET"]}]}}]}`)})
	es, ok := AsErrors(err)
	if !ok {
		t.Fatalf("want settings errors, got %v", err)
	}
	got := map[string]bool{}
	for _, e := range es {
		got[e.Field] = true
	}
	for _, want := range []string{"jsonData.upstreams[1].url", "jsonData.upstreams[1].auth.basicUser",
		"secureJsonData.upstreams.bad.basicAuthPassword", "jsonData.upstreams[1].network.maxRedirects",
		"jsonData.upstreams[1].proxy.rules[0].path"} {
		if !got[want] {
			t.Errorf("no error named %q in %v", want, es)
		}
	}
	if len(es) != 5 {
		t.Errorf("want 5 errors, got %d: %v", len(es), es)
	}
}
