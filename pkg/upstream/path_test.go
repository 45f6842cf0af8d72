package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"reflect"
	"strings"
	"testing"
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
		if err != nil {
			t.Fatalf("%s", tc.rel+": "+fmt.Sprintf("%v", err))
		}
		if got, want := u.Path, tc.path; !reflect.DeepEqual(got, want) {
			t.Errorf("%s", tc.rel+": "+fmt.Sprintf("u.Path = %v, want %v", got, want))
		}
		if got, want := u.EscapedPath(), tc.escaped; !reflect.DeepEqual(got, want) {
			t.Errorf("%s", tc.rel+": "+fmt.Sprintf("u.EscapedPath() = %v, want %v", got, want))
		}
		if got, want := u.Host, "api.example.com"; got != want {
			t.Errorf("u.Host = %v, want %v", got, want)
		}
		if got, want := u.String(), "https://api.example.com"+tc.escaped; !reflect.DeepEqual(got, want) {
			t.Errorf("u.String() = %v, want %v", got, want)
		}
	}
	if got, want := base.Path, "/v1"; got != want {
		t.Errorf("%s", "base is not modified"+": "+fmt.Sprintf("base.Path = %v, want %v", got, want))
	}

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
		if !(errors.As(err, &e)) {
			t.Fatalf("%s", fmt.Sprintf("%q should be refused", rel)+": "+fmt.Sprintf("errors.As(err, &e) is false"))
		}
		if got, want := e.Kind, KindBadPath; !reflect.DeepEqual(got, want) {
			t.Errorf("%s", rel+": "+fmt.Sprintf("e.Kind = %v, want %v", got, want))
		}
		if got, want := e.Kind.HTTPStatus(), http.StatusBadRequest; got != want {
			t.Errorf("e.Kind.HTTPStatus() = %v, want %v", got, want)
		}
	}

	t.Run("root base", func(t *testing.T) {
		root, _ := url.Parse("http://h:8080")
		u, err := JoinPath(root, "")
		if err != nil {
			t.Fatalf("%v", err)
		}
		if got, want := u.String(), "http://h:8080/"; got != want {
			t.Errorf("u.String() = %v, want %v", got, want)
		}
		u, err = JoinPath(root, "a/b")
		if err != nil {
			t.Fatalf("%v", err)
		}
		if got, want := u.String(), "http://h:8080/a/b"; got != want {
			t.Errorf("u.String() = %v, want %v", got, want)
		}
	})
	t.Run("base path needing escapes", func(t *testing.T) {
		b, _ := url.Parse("http://h/my%20api")
		u, err := JoinPath(b, "x y")
		if err != nil {
			t.Fatalf("%v", err)
		}
		if got, want := u.Path, "/my api/x y"; got != want {
			t.Errorf("u.Path = %v, want %v", got, want)
		}
		if got, want := u.String(), "http://h/my%20api/x%20y"; got != want {
			t.Errorf("u.String() = %v, want %v", got, want)
		}
	})
}

func TestNewRequestQuery(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL + "/base", json: map[string]any{"network": allowLoopback,
		"proxy": map[string]any{"queryParams": map[string]string{"tenant": "acme", "v": "2"}}}})
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/items/a b", url.Values{"q": {"x y"}, "tenant": {"evil"}}, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if got, want := req.URL.RawQuery, "q=x+y&tenant=acme&v=2"; got != want {
		t.Errorf("%s", "caller first, fixed parameters appended and winning"+": "+fmt.Sprintf("req.URL.RawQuery = %v, want %v", got, want))
	}
	s := doSeen(t, c, req)
	if got, want := s.Path, "/base/items/a b"; got != want {
		t.Errorf("s.Path = %v, want %v", got, want)
	}
	if got, want := s.RawPath, "/base/items/a%20b"; got != want {
		t.Errorf("s.RawPath = %v, want %v", got, want)
	}

	_, err = c.NewRequest(context.Background(), http.MethodGet, "../x", nil, nil)
	if got, want := Classify(err).Kind, KindBadPath; !reflect.DeepEqual(got, want) {
		t.Errorf("Classify(err).Kind = %v, want %v", got, want)
	}
	_, err = c.NewRequest(context.Background(), "BAD METHOD", "/", nil, nil)
	if err == nil {
		t.Errorf("err is nil, want an error")
	}
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

// normHost returns an IPv4 literal as given (no string built per call): it
// must be what netip writes, for every form ParseAddr accepts.
func TestNormHostIPv4AsGiven(t *testing.T) {
	for _, h := range []string{"127.0.0.1", "10.0.0.255", "0.0.0.0", "255.255.255.255", "192.0.2.10"} {
		if got, want := normHost(h), netip.MustParseAddr(h).String(); got != want {
			t.Errorf("normHost(%q) = %q, want %q", h, got, want)
		}
	}
	for _, h := range []string{"::1", "[::1]", "::ffff:127.0.0.1", "FE80::1%eth0", "Example.COM.", "localhost"} {
		want := strings.TrimSuffix(strings.ToLower(h), ".")
		if a, err := netip.ParseAddr(h); err == nil {
			want = a.WithZone("").String()
		}
		if got := normHost(h); got != want {
			t.Errorf("normHost(%q) = %q, want %q", h, got, want)
		}
	}
}

// joinPathReference is JoinPath's segment escaping as first written
// (strings.Split and Join); JoinPath builds the same paths in one buffer.
func joinPathReference(base *url.URL, trimmed string) (string, string) {
	segs := strings.Split(trimmed, "/")
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = url.PathEscape(s)
	}
	return strings.TrimSuffix(base.Path, "/") + "/" + strings.Join(segs, "/"),
		strings.TrimSuffix(base.EscapedPath(), "/") + "/" + strings.Join(escaped, "/")
}

func FuzzJoinPathMatchesReference(f *testing.F) {
	for _, rel := range []string{"items", "/items/42", "items/", "a b/ü", "x;y=1", "a+b,c", "a/b/c/", "é/ç%/x"} {
		f.Add("https://api.example.com/v1", rel)
		f.Add("https://api.example.com/a%20b/", rel)
	}
	f.Fuzz(func(t *testing.T, baseURL, rel string) {
		base, err := url.Parse(baseURL)
		if err != nil {
			return
		}
		u, err := JoinPath(base, rel)
		trimmed := strings.TrimPrefix(rel, "/")
		if err != nil || trimmed == "" {
			return
		}
		wantPath, wantRaw := joinPathReference(base, trimmed)
		want := &url.URL{Path: wantPath, RawPath: wantRaw}
		if got := finishPath(want); u.Path != got.Path || u.RawPath != got.RawPath {
			t.Fatalf("JoinPath(%q, %q) = %q %q, want %q %q", baseURL, rel, u.Path, u.RawPath, got.Path, got.RawPath)
		}
	})
}
