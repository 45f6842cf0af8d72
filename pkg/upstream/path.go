package upstream

import (
	"net/url"
	"strings"

	"github.com/relay-gateway/relay/pkg/httpx"
)

// maxShownPath bounds how much of a refused path an error repeats, and
// maxShownMessage a policy refusal that quotes one.
const (
	maxShownPath    = 200
	maxShownMessage = 400
)

// JoinPath puts the caller's upstream path rel under base.Path and returns a
// new URL on base's scheme and host (base is not modified).
//
// rel is a path as the plugin received it: Grafana decoded it once and the
// SDK's httpadapter decoded it again, so anything still looking encoded is an
// attack or a mistake. Rather than guess, JoinPath refuses (KindBadPath) when
// rel contains:
//   - a "." or ".." segment, also with a ";param" suffix ("..;" is ".." to
//     Tomcat and friends);
//   - an empty segment ("a//b", or a leading "//host"); a single leading "/"
//     is optional and one trailing "/" is kept;
//   - '\', NUL or any other control character, '%', '?' or '#';
//   - a first segment that reads as a URL scheme ("http:", "javascript:").
//     This also refuses a colon in the first segment ("/v1:batch"); colons in
//     later segments ("/v1/items:batchGet") are fine.
//
// ';' (matrix parameters) is allowed but escaped like every other reserved
// character: each segment goes through url.PathEscape, so the upstream sees a
// literal "%3B", never a parameter separator, and "a/b" can only come from
// two segments. Path and RawPath are set consistently, so EscapedPath (and
// String) return exactly the escaped form.
//
// Guarantee (fuzzed): on success the result's Path is base.Path or starts
// with base.Path+"/", and cleaning it never climbs out of base.Path.
func JoinPath(base *url.URL, rel string) (*url.URL, error) {
	if base == nil {
		return nil, newError(KindBadPath, "url", nil, "no upstream base URL")
	}
	if err := checkRel(rel); err != nil {
		return nil, err
	}
	trimmed := strings.TrimPrefix(rel, "/")
	u := *base
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	basePath := strings.TrimSuffix(base.Path, "/")
	baseRaw := strings.TrimSuffix(base.EscapedPath(), "/")
	if trimmed == "" {
		u.Path, u.RawPath = basePath, baseRaw
		if rel == "/" || basePath == "" {
			u.Path, u.RawPath = basePath+"/", baseRaw+"/"
		}
		return finishPath(&u), nil
	}
	u.Path = basePath + "/" + trimmed
	// Each segment escaped on its own (a decoded '/' stays a separator), built
	// in one buffer: this runs for every proxied call.
	var raw strings.Builder
	raw.Grow(len(baseRaw) + 1 + len(trimmed))
	raw.WriteString(baseRaw)
	for rest := trimmed; ; {
		seg, after, more := strings.Cut(rest, "/")
		raw.WriteByte('/')
		raw.WriteString(url.PathEscape(seg))
		if !more {
			break
		}
		rest = after
	}
	u.RawPath = raw.String()
	return finishPath(&u), nil
}

// finishPath drops RawPath when it equals the default encoding, as url.Parse
// would, so both spellings of an equal URL compare equal.
func finishPath(u *url.URL) *url.URL {
	raw := u.RawPath
	u.RawPath = ""
	if u.EscapedPath() != raw {
		u.RawPath = raw
	}
	return u
}

func checkRel(rel string) *Error {
	if why := httpx.PathProblem(rel); why != "" {
		shown := rel
		if len(shown) > maxShownPath {
			shown = shown[:maxShownPath] + "..."
		}
		return newError(KindBadPath, "", nil, "upstream path %q refused: %s", shown, why)
	}
	return nil
}
