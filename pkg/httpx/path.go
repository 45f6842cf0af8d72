package httpx

import (
	"regexp"
	"strings"
)

var schemeLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// PathProblem says why an upstream path (relative to the base URL, decoded)
// is ambiguous, or "". It is Relay's one path rule: the resource guard (every
// resource path after Grafana's decode), the proxy's path joining and the
// policy's check of every upstream request (pagination links, redirect hops)
// share it: a dot segment ('..;' included), an empty segment, '\\', '%', '?',
// '#', a control character or a scheme-like first segment.
func PathProblem(rel string) string {
	bad := func(why string) string { return why }
	for i := 0; i < len(rel); i++ {
		switch c := rel[i]; {
		case c < 0x20 || c == 0x7f:
			return bad("contains a control character")
		case c == '\\':
			return bad("contains a backslash")
		case c == '%':
			return bad("contains '%' (percent-encoding left after decoding suggests double encoding)")
		case c == '?' || c == '#':
			return bad("contains '?' or '#'")
		}
	}
	if strings.HasPrefix(rel, "//") {
		return bad("starts with '//' (scheme-relative URL)")
	}
	trimmed := strings.TrimPrefix(rel, "/")
	if schemeLike.MatchString(trimmed) {
		return bad("looks like an absolute URL")
	}
	segs := strings.Split(trimmed, "/")
	for i, s := range segs {
		if s == "" && i != len(segs)-1 && trimmed != "" {
			return bad("contains an empty segment ('//')")
		}
		name, _, _ := strings.Cut(s, ";")
		if name == "." || name == ".." {
			return bad("contains a '.' or '..' segment")
		}
	}
	return ""
}
