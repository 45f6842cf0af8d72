package main

import (
	"net"
	"net/http"
	"net/textproto"
	"slices"
	"sort"
	"strings"
)

// hopByHopHeaders are removed from requests to the plugin and from its responses. User-Agent is on Grafana's list
// for resource calls: the plugin learns about the Grafana instance from PluginContext.UserAgent instead.
var hopByHopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade",
}

// grafanaSessionCookies are never forwarded, whatever keepCookies says: they would hand the plugin the session.
var grafanaSessionCookies = []string{"grafana_session", "grafana_session_expiry"}

// resourceRequestHeaders applies Grafana's rules, in Grafana's order, to the headers of a resource call and
// returns the headers the plugin receives. in is not modified. Anything not named here passes through untouched,
// including client-sent X-Grafana-User / X-Grafana-Id: plugins must trust PluginContext.User, never those.
func resourceRequestHeaders(in http.Header, remoteAddr string, keepCookies []string) http.Header {
	h := in.Clone()
	if h == nil {
		h = http.Header{}
	}
	if referer := h.Get("Referer"); referer != "" {
		h.Set("X-Grafana-Referer", referer)
	}
	for _, name := range []string{"Origin", "Referer", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Proto"} {
		h.Del(name)
	}
	if clientIP, _, err := net.SplitHostPort(remoteAddr); err == nil {
		if prior := h.Values("X-Forwarded-For"); len(prior) > 0 {
			clientIP = strings.Join(prior, ", ") + ", " + clientIP
		}
		h.Set("X-Forwarded-For", clientIP)
	}
	h.Del("Authorization")
	h.Del("X-Grafana-Device-Id")
	keepOnlyCookies(h, keepCookies)
	removeHopByHop(h)
	h.Del("User-Agent")
	return h
}

// keepOnlyCookies reduces Cookie to the names in keep (sorted by name, Grafana's order) and drops the header when
// nothing is left.
func keepOnlyCookies(h http.Header, keep []string) {
	cookies := (&http.Request{Header: h}).Cookies()
	h.Del("Cookie")
	kept := map[string]*http.Cookie{}
	for _, c := range cookies {
		if slices.Contains(keep, c.Name) && !slices.Contains(grafanaSessionCookies, c.Name) {
			kept[c.Name] = c
		}
	}
	if len(kept) == 0 {
		return
	}
	names := make([]string, 0, len(kept))
	for name := range kept {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, kept[name].String())
	}
	h.Set("Cookie", strings.Join(parts, "; "))
}

// removeHopByHop deletes the headers a Connection header names, then the standard hop-by-hop headers.
func removeHopByHop(h http.Header) {
	for _, value := range h.Values("Connection") {
		for name := range strings.SplitSeq(value, ",") {
			if name = textproto.TrimString(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopByHopHeaders {
		h.Del(name)
	}
}

// resourceResponseHeaders copies the plugin's first-message headers into dst (which already holds the default API
// headers), the way Grafana does: no hop-by-hop headers, no Set-Cookie (a plugin must not set cookies on Grafana's
// origin), a JSON Content-Type by default, a sandboxing CSP, and no-store unless the plugin marked the response
// private-cacheable.
func resourceResponseHeaders(dst http.Header, plugin http.Header, status int) {
	src := plugin.Clone()
	removeHopByHop(src)
	src.Del("Set-Cookie")
	for name, values := range src {
		dst[name] = values
	}
	if dst.Get("Content-Type") == "" && status != http.StatusNoContent {
		dst.Set("Content-Type", "application/json")
	}
	dst.Set("Content-Security-Policy", "sandbox")
	dst.Set("X-Frame-Options", "deny")
	dst.Set("X-Content-Type-Options", "nosniff")
	if !strings.Contains(src.Get("Cache-Control"), "private") {
		dst.Set("Cache-Control", "no-store")
	}
}
