package cache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Freshness decides whether a response may be kept in a cache that many
// users share, and for how long. The rule's TTL is an upper bound; the
// upstream can only shorten it:
//   - only 200 responses are stored;
//   - Cache-Control no-store or private (in any form, also with field names),
//     Vary: * and Set-Cookie make a response not storable;
//   - s-maxage, else max-age, caps the TTL; no-cache (or Pragma: no-cache
//     without Cache-Control) makes it 0: stored, but revalidated every time;
//   - a response that would be stale at once is stored only if it carries a
//     validator (ETag or Last-Modified) to revalidate with.
func Freshness(status int, h http.Header, ruleTTL time.Duration) (ttl time.Duration, storable bool) {
	if status != http.StatusOK || ruleTTL <= 0 {
		return 0, false
	}
	if len(h.Values("Set-Cookie")) > 0 || hasToken(h.Values("Vary"), "*") {
		return 0, false
	}
	ttl = ruleTTL
	cc := parseCacheControl(h.Values("Cache-Control"))
	switch {
	case cc.has("no-store") || cc.has("private"):
		return 0, false
	case cc.has("no-cache"):
		ttl = 0
	case len(cc) == 0 && hasToken(h.Values("Pragma"), "no-cache"):
		ttl = 0
	}
	age, ok := cc.seconds("s-maxage")
	if !ok {
		age, ok = cc.seconds("max-age")
	}
	if ok && age < ttl {
		ttl = age
	}
	if ttl <= 0 && h.Get("ETag") == "" && h.Get("Last-Modified") == "" {
		return 0, false
	}
	return ttl, true
}

// cacheControl maps lower-case directive names to their (unquoted) values.
type cacheControl map[string]string

func parseCacheControl(values []string) cacheControl {
	cc := cacheControl{}
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			if name == "" {
				continue
			}
			cc[strings.ToLower(strings.TrimSpace(name))] = strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return cc
}

func (cc cacheControl) has(name string) bool {
	_, ok := cc[name]
	return ok
}

// seconds reads a delta-seconds directive; a malformed value counts as 0,
// the safe reading.
func (cc cacheControl) seconds(name string) (time.Duration, bool) {
	v, ok := cc[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, true
	}
	if n > int64(365*24*time.Hour/time.Second) {
		n = int64(365 * 24 * time.Hour / time.Second)
	}
	return time.Duration(n) * time.Second, true
}

func hasToken(values []string, token string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
