package httpx

import (
	"regexp"
	"strings"
	"testing"
)

// pathProblemReference is PathProblem as first written (a regexp for the
// scheme, strings.Split for the segments); the allocation-free version must
// answer exactly as it does.
func pathProblemReference(rel string) string {
	for i := 0; i < len(rel); i++ {
		switch c := rel[i]; {
		case c < 0x20 || c == 0x7f:
			return "contains a control character"
		case c == '\\':
			return "contains a backslash"
		case c == '%':
			return "contains '%' (percent-encoding left after decoding suggests double encoding)"
		case c == '?' || c == '#':
			return "contains '?' or '#'"
		}
	}
	if strings.HasPrefix(rel, "//") {
		return "starts with '//' (scheme-relative URL)"
	}
	trimmed := strings.TrimPrefix(rel, "/")
	if regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`).MatchString(trimmed) {
		return "looks like an absolute URL"
	}
	segs := strings.Split(trimmed, "/")
	for i, s := range segs {
		if s == "" && i != len(segs)-1 && trimmed != "" {
			return "contains an empty segment ('//')"
		}
		name, _, _ := strings.Cut(s, ";")
		if name == "." || name == ".." {
			return "contains a '.' or '..' segment"
		}
	}
	return ""
}

var pathCases = []string{
	"", "/", "//", "///", "a", "/a", "a/", "/a/", "a//b", "/a//b/", "a/b/c", "proxy/health", "/proxy/u1/health",
	".", "..", "/.", "/..", "a/./b", "a/../b", "a/..;/b", "a/.;x/b", "a/;x/b", "..;", "a/...", "a/..b",
	"http:x", "/http:x", "https://evil", "h:", "/h:", "1http:x", "+a:", "a+b.c-d:rest", "a_b:x", "a b:x", "/a/b:c",
	"a%2fb", "a\\b", "a?b", "a#b", "a\x00b", "a\x7fb", "a/b/", "a/b//", "ü/ä", "a/ü:x", ":", "/:", "a:", "A9:",
}

func TestPathProblemMatchesReference(t *testing.T) {
	for _, p := range pathCases {
		if got, want := PathProblem(p), pathProblemReference(p); got != want {
			t.Errorf("PathProblem(%q) = %q, want %q", p, got, want)
		}
	}
}

func FuzzPathProblem(f *testing.F) {
	for _, p := range pathCases {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := PathProblem(p), pathProblemReference(p); got != want {
			t.Fatalf("PathProblem(%q) = %q, want %q", p, got, want)
		}
	})
}

func BenchmarkPathProblem(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if PathProblem("/proxy/u1/health/items") != "" {
			b.Fatal("refused")
		}
	}
}
