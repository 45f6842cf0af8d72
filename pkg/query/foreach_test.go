package query

import (
	"net/url"
	"strings"
	"testing"
)

func TestForEachValueIsEscapedForItsPlace(t *testing.T) {
	f := &ForEach{Query: "L", Field: "id"}
	base := request{Method: "POST", Path: "/items/{{id}}/x",
		Params:  url.Values{"q": {"id:{{id}}"}, "{{id}}": {"k"}},
		Headers: map[string]string{"X-Id": "{{id}}"},
		Body:    `{"id":"{{id}}","n":1}`}
	req, err := f.request(base, `a/b?c#"d%`)
	if err != nil {
		t.Fatal(err)
	}
	// Path: percent-encoded so the value stays in its segment (the path guard refuses what is left: see below).
	if req.Path != `/items/a%2Fb%3Fc%23"d%25/x` {
		t.Fatalf("path %q", req.Path)
	}
	// Params: as they are, url.Values encodes them.
	if req.Params.Encode() != `a%2Fb%3Fc%23%22d%25=k&q=id%3Aa%2Fb%3Fc%23%22d%25` {
		t.Fatalf("params %q", req.Params.Encode())
	}
	// Body: JSON string content.
	if req.Body != `{"id":"a/b?c#\"d%","n":1}` {
		t.Fatalf("body %q", req.Body)
	}
	if req.Headers["X-Id"] != `a/b?c#"d%` || base.Headers["X-Id"] != "{{id}}" || base.Params.Get("q") != "id:{{id}}" {
		t.Fatalf("headers %q, base changed: %v", req.Headers, base)
	}
	if _, err := f.request(base, "a\r\nX-Evil: 1"); err == nil || !strings.Contains(err.Error(), "headers.X-Id") {
		t.Fatalf("a header value with a line break: %v", err)
	}
}
