package proxy

import "net/http"

// droppedResponseHeaders never reach Grafana: cookies would be set on
// Grafana's origin, and an auth challenge would make the browser prompt.
var droppedResponseHeaders = []string{"Set-Cookie", "Set-Cookie2", "Www-Authenticate", "Proxy-Authenticate", "Alt-Svc", "Strict-Transport-Security"}

func filterResponseHeaders(h http.Header) {
	for _, k := range droppedResponseHeaders {
		h.Del(k)
	}
}
