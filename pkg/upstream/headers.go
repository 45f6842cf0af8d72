package upstream

import (
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"
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
// connection control, method overrides and URL rewrites (a GET rule on one
// path must not carry a DELETE, or another path, that a framework or a
// reverse proxy in front of the upstream would honour), client-address and
// host claims (upstreams trust them for allowlists and logs) and Grafana's
// identity headers.
var refusedHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "X-Api-Key": true, "X-Id-Token": true,
	"Host": true, "Connection": true, "Content-Length": true, "Transfer-Encoding": true, "Te": true,
	"Trailer": true, "Upgrade": true, "Keep-Alive": true, "Proxy-Connection": true, "Expect": true,
	"X-Http-Method-Override": true, "X-Http-Method": true, "X-Method-Override": true, "X-Original-Method": true,
	"X-Original-Url": true, "X-Rewrite-Url": true, "X-Original-Uri": true, "X-Override-Url": true,
	"X-Http-Destinationurl": true, "X-Envoy-Original-Path": true, "X-Accel-Redirect": true, "X-Sendfile": true,
	"X-Host": true, "X-Original-Host": true, "Via": true, "Max-Forwards": true,
	"Forwarded": true, "X-Real-Ip": true, "X-Client-Ip": true, "True-Client-Ip": true, "Cf-Connecting-Ip": true,
	"X-Originating-Ip": true, "X-Remote-Ip": true, "X-Remote-Addr": true, "X-Cluster-Client-Ip": true,
}

var refusedPrefixes = []string{"X-Forwarded-", "X-Grafana-", "Proxy-", "X-Envoy-"}

// CheckHeader reports why a caller-chosen header name is refused, or "".
func CheckHeader(name string) string {
	if !httpguts.ValidHeaderFieldName(name) {
		return "not a valid header name"
	}
	c := http.CanonicalHeaderKey(name)
	if refusedHeaders[c] {
		return "credentials, connection, method and URL override and identity headers come only from the data source settings"
	}
	for _, p := range refusedPrefixes {
		if strings.HasPrefix(c, p) {
			return "forwarding, proxy and Grafana headers come only from Relay"
		}
	}
	return ""
}

// CheckHeaderValue reports why a caller-chosen header value cannot be sent
// (a line break or another control character: the request could not be
// written, or would split), or "". It is the caller's mistake, a 400.
func CheckHeaderValue(v string) string {
	if !httpguts.ValidHeaderFieldValue(v) {
		return "the value contains a line break or another control character"
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
