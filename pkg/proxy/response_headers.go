package proxy

import (
	"net/http"
	"strings"
)

// droppedResponseHeaders never reach Grafana: cookies would be set on
// Grafana's origin, and an auth challenge would make the browser prompt.
var droppedResponseHeaders = []string{"Set-Cookie", "Set-Cookie2", "Www-Authenticate", "Proxy-Authenticate", "Alt-Svc", "Strict-Transport-Security"}

// hopHeaders never travel from the upstream's response to Grafana.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// stripResponseHeaders removes from an upstream answer's headers what never
// reaches Grafana: hop-by-hop headers (those Connection names included) and
// droppedResponseHeaders. It is the one decision for every answer the proxy
// gives, forwarded by the reverse proxy or kept by the cache.
func stripResponseHeaders(h http.Header) {
	for _, k := range h.Values("Connection") {
		for name := range strings.SplitSeq(k, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	for _, k := range droppedResponseHeaders {
		h.Del(k)
	}
}
