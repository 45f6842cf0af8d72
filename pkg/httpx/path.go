package httpx

import "strings"

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
	if schemeLike(trimmed) {
		return bad("looks like an absolute URL")
	}
	// Segment by segment without splitting: this runs several times per call.
	for rest := trimmed; ; {
		s, after, more := strings.Cut(rest, "/")
		if s == "" && more {
			return bad("contains an empty segment ('//')")
		}
		name, _, _ := strings.Cut(s, ";")
		if name == "." || name == ".." {
			return bad("contains a '.' or '..' segment")
		}
		if !more {
			return ""
		}
		rest = after
	}
}

// schemeLike reports whether s starts with a URL scheme and its colon
// (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":").
func schemeLike(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return true
		case isAlpha(c), '0' <= c && c <= '9', c == '+', c == '.', c == '-':
		default:
			return false
		}
	}
	return false
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
