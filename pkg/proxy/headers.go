package proxy

import "net/http"

// forwardedRequestHeaders is the allowlist of client headers sent upstream.
// Everything else — Cookie, Authorization, X-Grafana-*, X-API-Key,
// X-Forwarded-* — stays behind: credentials come only from settings.
var forwardedRequestHeaders = []string{
	"Accept", "Accept-Encoding", "Accept-Language", "Cache-Control", "Content-Language", "Content-Type",
	"If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Range",
	"Idempotency-Key", "X-Request-Id",
}

// droppedResponseHeaders never reach Grafana: cookies would be set on
// Grafana's origin, and an auth challenge would make the browser prompt.
var droppedResponseHeaders = []string{"Set-Cookie", "Set-Cookie2", "Www-Authenticate", "Proxy-Authenticate", "Alt-Svc", "Strict-Transport-Security"}

func filterRequestHeaders(in http.Header) http.Header {
	out := make(http.Header, len(forwardedRequestHeaders))
	for _, k := range forwardedRequestHeaders {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	return out
}

func filterResponseHeaders(h http.Header) {
	for _, k := range droppedResponseHeaders {
		h.Del(k)
	}
}
