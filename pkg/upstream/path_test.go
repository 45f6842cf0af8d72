package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJoinPath(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/v1")
	ok := []struct{ rel, path, escaped string }{
		{"", "/v1", "/v1"},
		{"/", "/v1/", "/v1/"},
		{"items", "/v1/items", "/v1/items"},
		{"/items/42", "/v1/items/42", "/v1/items/42"},
		{"items/", "/v1/items/", "/v1/items/"},
		{"a b/ü", "/v1/a b/ü", "/v1/a%20b/%C3%BC"},
		{"x;y=1", "/v1/x;y=1", "/v1/x%3By=1"},
		{"items/a:b", "/v1/items/a:b", "/v1/items/a:b"},
		{"...", "/v1/...", "/v1/..."},
		{"a+b,c", "/v1/a+b,c", "/v1/a+b%2Cc"},
	}
	for _, tc := range ok {
		u, err := JoinPath(base, tc.rel)
		require.NoError(t, err, tc.rel)
		assert.Equal(t, tc.path, u.Path, tc.rel)
		assert.Equal(t, tc.escaped, u.EscapedPath(), tc.rel)
		assert.Equal(t, "api.example.com", u.Host)
		assert.Equal(t, "https://api.example.com"+tc.escaped, u.String())
	}
	assert.Equal(t, "/v1", base.Path, "base is not modified")

	bad := []string{
		"..", "../etc", "a/../../b", "a/./b", ".", "./a", "a/..", "..;/admin", "a/..;x/b", ".;x",
		"a\\b", "a\x00b", "a\nb", "a\rb", "a\tb", "a\x7fb",
		"%2e%2e", "a%2Fb", "100%", "a%00",
		"a?b=1", "a#frag",
		"http://evil.com/x", "javascript:alert(1)", "/http:x", "mailto:x",
		"//evil.com/x", "a//b", "a///", "///",
	}
	for _, rel := range bad {
		_, err := JoinPath(base, rel)
		var e *Error
		require.True(t, errors.As(err, &e), "%q should be refused", rel)
		assert.Equal(t, KindBadPath, e.Kind, rel)
		assert.Equal(t, http.StatusBadRequest, e.Kind.HTTPStatus())
	}

	t.Run("root base", func(t *testing.T) {
		root, _ := url.Parse("http://h:8080")
		u, err := JoinPath(root, "")
		require.NoError(t, err)
		assert.Equal(t, "http://h:8080/", u.String())
		u, err = JoinPath(root, "a/b")
		require.NoError(t, err)
		assert.Equal(t, "http://h:8080/a/b", u.String())
	})
	t.Run("base path needing escapes", func(t *testing.T) {
		b, _ := url.Parse("http://h/my%20api")
		u, err := JoinPath(b, "x y")
		require.NoError(t, err)
		assert.Equal(t, "/my api/x y", u.Path)
		assert.Equal(t, "http://h/my%20api/x%20y", u.String())
	})
}

func TestNewRequestQuery(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL + "/base", json: map[string]any{"network": allowLoopback,
		"proxy": map[string]any{"queryParams": map[string]string{"tenant": "acme", "v": "2"}}}})
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/items/a b", url.Values{"q": {"x y"}, "tenant": {"evil"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "q=x+y&tenant=acme&v=2", req.URL.RawQuery, "caller first, fixed parameters appended and winning")
	s := doSeen(t, c, req)
	assert.Equal(t, "/base/items/a b", s.Path)
	assert.Equal(t, "/base/items/a%20b", s.RawPath)

	_, err = c.NewRequest(context.Background(), http.MethodGet, "../x", nil, nil)
	assert.Equal(t, KindBadPath, Classify(err).Kind)
	_, err = c.NewRequest(context.Background(), "BAD METHOD", "/", nil, nil)
	assert.Error(t, err)
}

// FuzzJoinPath checks JoinPath's guarantee: whatever rel is, a result stays
// under base.Path on base's host, both as a URL value and after a round trip
// through its string form (what the upstream actually receives).
func FuzzJoinPath(f *testing.F) {
	for _, s := range []string{"", "/", "a", "a/b", "../a", "a/../b", "..;/x", "%2e%2e/", "a%2fb", "//h/x", "a\\b", "x;y", "a b", "ü/ö", "http:x", "a//b", "a/", "./", "...", "\x00", "?", "#", ";/..", "a/%"} {
		f.Add(s)
	}
	bases := []string{"https://api.example.com/v1", "http://h:8080", "http://h/my%20api/x"}
	f.Fuzz(func(t *testing.T, rel string) {
		for _, b := range bases {
			base, _ := url.Parse(b)
			u, err := JoinPath(base, rel)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Kind != KindBadPath {
					t.Fatalf("%q: error is not KindBadPath: %v", rel, err)
				}
				continue
			}
			if strings.ContainsAny(rel, "%?#\\") || strings.Contains(rel, "//") {
				t.Fatalf("%q accepted", rel)
			}
			checkUnder(t, base, u, rel)
			// What goes on the wire, re-parsed as the upstream would.
			wire, perr := url.Parse(u.String())
			if perr != nil {
				t.Fatalf("%q: result %q does not parse: %v", rel, u.String(), perr)
			}
			checkUnder(t, base, wire, rel)
			if wire.Path != u.Path || wire.EscapedPath() != u.EscapedPath() {
				t.Fatalf("%q: round trip changed the path: %q/%q vs %q/%q", rel, u.Path, u.EscapedPath(), wire.Path, wire.EscapedPath())
			}
		}
	})
}

func checkUnder(t *testing.T, base, u *url.URL, rel string) {
	t.Helper()
	if u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		t.Fatalf("%q: result %q left the base origin", rel, u.String())
	}
	bp := strings.TrimSuffix(base.Path, "/")
	if u.Path != bp && !strings.HasPrefix(u.Path, bp+"/") {
		t.Fatalf("%q: path %q is not under %q", rel, u.Path, bp)
	}
	if cleaned := path.Clean(u.Path); cleaned != bp && !strings.HasPrefix(cleaned, bp+"/") && !(bp == "" && cleaned == "/") {
		t.Fatalf("%q: path %q cleans to %q, outside %q", rel, u.Path, cleaned, bp)
	}
	if cleaned := path.Clean(u.EscapedPath()); !strings.HasPrefix(cleaned+"/", strings.TrimSuffix(base.EscapedPath(), "/")+"/") {
		t.Fatalf("%q: escaped path %q cleans outside base", rel, u.EscapedPath())
	}
}
