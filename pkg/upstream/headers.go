package upstream

import (
	"net/http"
	"strings"
)

// The one header policy of every outbound request. Relay sets credentials
// and identity itself (auth.go, forward.go) after these rules ran, so nothing
// a caller, a query or an action supplies can carry them.

// ForwardedRequestHeaders are the incoming client headers the proxy passes
// upstream; everything else (Cookie, Authorization, X-Grafana-*, X-API-Key,
// X-Forwarded-*, ...) stays behind.
var ForwardedRequestHeaders = []string{
	"Accept", "Accept-Encoding", "Accept-Language", "Cache-Control", "Content-Language", "Content-Type",
	"If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Range",
	"Idempotency-Key", "X-Request-Id",
}

// refusedHeaders may never be chosen by a caller or a query: credentials,
// connection control, method overrides (a GET rule must not carry a DELETE),
// client-address claims (upstreams trust them for allowlists and logs) and
// Grafana's identity headers.
var refusedHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "X-Api-Key": true, "X-Id-Token": true,
	"Host": true, "Connection": true, "Content-Length": true, "Transfer-Encoding": true, "Te": true,
	"Trailer": true, "Upgrade": true, "Keep-Alive": true, "Proxy-Connection": true, "Expect": true,
	"X-Http-Method-Override": true, "X-Http-Method": true, "X-Method-Override": true,
	"Forwarded": true, "X-Real-Ip": true, "X-Client-Ip": true, "True-Client-Ip": true, "Cf-Connecting-Ip": true,
	"X-Originating-Ip": true, "X-Remote-Ip": true, "X-Remote-Addr": true, "X-Cluster-Client-Ip": true,
}

var refusedPrefixes = []string{"X-Forwarded-", "X-Grafana-", "Proxy-"}

// CheckHeader reports why a caller-chosen header name is refused, or "".
func CheckHeader(name string) string {
	c := http.CanonicalHeaderKey(name)
	if refusedHeaders[c] {
		return "credentials, connection and identity headers come only from the data source settings"
	}
	for _, p := range refusedPrefixes {
		if strings.HasPrefix(c, p) {
			return "forwarding, proxy and Grafana headers come only from Relay"
		}
	}
	return ""
}

// ForwardHeaders copies the allowlisted client headers for the proxy.
func ForwardHeaders(in http.Header) http.Header {
	out := make(http.Header, len(ForwardedRequestHeaders))
	for _, k := range ForwardedRequestHeaders {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	return out
}

// stripRefused drops refused headers from a request about to be sent, so a
// code path that forgot the rules still cannot send them.
func stripRefused(h http.Header) {
	for k := range h {
		if CheckHeader(k) != "" {
			delete(h, k)
		}
	}
}
