package main

import (
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Misbehaving upstream endpoints for Relay's timeouts, streaming, error mapping, connection-error handling,
// redirect (SSRF) checks and cookie stripping. Every wait honours the request context, so a client that gives up
// frees the handler at once.

const (
	maxDelay      = 5 * time.Minute
	maxChunks     = 10000
	maxInterval   = time.Minute
	maxRedirects  = 100
	maxRedirectTo = 4096
)

// durationParam reads a Go duration ("1.5s", "200ms") or bare milliseconds ("200").
func durationParam(r *http.Request, name string, def, limit time.Duration) (time.Duration, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		ms, msErr := strconv.ParseInt(s, 10, 64)
		d, err = time.Duration(ms)*time.Millisecond, msErr
	}
	if err != nil || d < 0 || d > limit {
		return 0, &paramError{name: name, msg: "must be a duration from 0 to " + limit.String()}
	}
	return d, nil
}

// sleep waits d or until the client goes away; it reports whether the full delay elapsed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// GET /slow?delay=2s → JSON after the delay (default 1s): no headers until then.
func (s *server) slow(w http.ResponseWriter, r *http.Request) {
	d, err := durationParam(r, "delay", time.Second, maxDelay)
	if err != nil {
		badRequest(w, err)
		return
	}
	if !sleep(r, d) {
		return // nobody is listening
	}
	writeJSON(w, http.StatusOK, map[string]any{"slept_ms": d.Milliseconds()})
}

// GET /slow-body?chunks=10&interval=200ms → headers and "[" at once, then one JSON object per interval, each
// flushed, then "]": the headers arrive fast but the body trickles, which is what body-read timeouts and streaming
// proxies must handle.
func (s *server) slowBody(w http.ResponseWriter, r *http.Request) {
	chunks, err := intParam(r, "chunks", 10, 0, maxChunks)
	if err != nil {
		badRequest(w, err)
		return
	}
	interval, err := durationParam(r, "interval", 200*time.Millisecond, maxInterval)
	if err != nil {
		badRequest(w, err)
		return
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	w.Write([]byte("["))
	if rc.Flush() != nil {
		return
	}
	for i := range chunks {
		if !sleep(r, interval) {
			return
		}
		sep := ","
		if i == 0 {
			sep = ""
		}
		if _, err := w.Write([]byte(sep + `{"chunk":` + strconv.Itoa(i) + `}`)); err != nil || rc.Flush() != nil {
			return
		}
	}
	w.Write([]byte("]\n"))
}

// ANY /status/{code} → that status with a JSON body (none for 204 and 304). 401 carries WWW-Authenticate; 429 and
// 503 carry Retry-After (?retry_after=seconds, default 1) so retry logic has something to honour.
func (s *server) status(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(r.PathValue("code"))
	if err != nil || code < 200 || code > 599 {
		writeError(w, http.StatusBadRequest, "invalid_status", "status code must be from 200 to 599")
		return
	}
	retryAfter, err := intParam(r, "retry_after", 1, 0, 3600)
	if err != nil {
		badRequest(w, err)
		return
	}
	h := w.Header()
	switch code {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Basic `+realm)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	case http.StatusNoContent, http.StatusNotModified:
		h.Set("Content-Type", contentTypeJSON) // every response declares its type, even without a body
		w.WriteHeader(code)
		return
	}
	text := http.StatusText(code)
	if text == "" {
		text = "status " + strconv.Itoa(code)
	}
	if code >= 400 {
		if r.URL.Query().Get("reflect") == "html" {
			// The same careless upstream with an HTML error page: the credentials HTML-escaped (&lt; &amp; &#34;).
			writeBody(w, code, "text/html; charset=utf-8", []byte("<html><body><h1>"+html.EscapeString(text)+
				"</h1><p>you sent Authorization: "+html.EscapeString(r.Header.Get("Authorization"))+"</p></body></html>"))
			return
		}
		if r.URL.Query().Get("reflect") == "1" {
			// A careless upstream that repeats the request's credentials in its error: Relay must scrub them.
			text += "; you sent Authorization: " + r.Header.Get("Authorization")
		}
		writeError(w, code, "status_"+strconv.Itoa(code), text)
		return
	}
	writeJSON(w, code, map[string]any{"status": code, "message": text})
}

// hijack takes the connection over from net/http, or answers 500 if it cannot.
func hijack(w http.ResponseWriter) (net.Conn, bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "hijack_failed", "connection cannot be taken over")
		return nil, false
	}
	return conn, true
}

// GET /reset → the connection is reset (TCP RST) before any response byte.
func (s *server) reset(w http.ResponseWriter, _ *http.Request) {
	conn, ok := hijack(w)
	if !ok {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close with RST rather than FIN: "connection reset by peer"
	}
	conn.Close()
}

// GET /reset-mid-body → 200 with Content-Length promising 1 MiB, part of a JSON body, then the connection closes:
// the client sees an unexpected EOF mid-body. It closes with FIN, not RST: an RST can make the client's kernel
// discard the already-received headers, and the point here is a failure after the response started.
func (s *server) resetMidBody(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(1<<20))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(`{"items":[{"id":1,"name":"first"},{"id":2,"name":"sec`))
	if http.NewResponseController(w).Flush() != nil {
		return
	}
	if conn, ok := hijack(w); ok {
		conn.Close()
	}
}

var redirectCodes = map[int]bool{301: true, 302: true, 303: true, 307: true, 308: true}

// GET /redirect?to=<url>&code=302 → a redirect to any URL, verbatim: the demo plays an upstream that tries to send
// Relay to an internal address, and Relay's redirect checks must stop it.
func (s *server) redirectTo(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" || len(to) > maxRedirectTo {
		badRequest(w, &paramError{name: "to", msg: "is required (at most 4096 bytes)"})
		return
	}
	code, err := intParam(r, "code", http.StatusFound, 301, 308)
	if err != nil || !redirectCodes[code] {
		badRequest(w, &paramError{name: "code", msg: "must be 301, 302, 303, 307 or 308"})
		return
	}
	w.Header().Set("Location", to) // not http.Redirect: it would rewrite relative targets
	writeJSON(w, code, map[string]string{"location": to})
}

// GET /redirect/keep-query?to=<url>&... → 307 to /redirect with the whole query kept, whatever the client added (an
// API key in the query, say): a same-origin redirect that keeps the query, then the redirect to `to`.
func (s *server) redirectKeepQuery(w http.ResponseWriter, r *http.Request) {
	loc := "/redirect?" + r.URL.RawQuery
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusTemporaryRedirect, map[string]string{"location": loc})
}

// GET /redirect/{n}?absolute=1 → n redirects: /redirect/n → /redirect/n-1 → ... → /health. /redirect/0 is
// /health itself. Locations are relative unless absolute=1.
func (s *server) redirectChain(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n > maxRedirects {
		writeError(w, http.StatusBadRequest, "invalid_redirect_count", "n must be from 0 to 100")
		return
	}
	if n == 0 {
		s.health(w, r)
		return
	}
	loc := "/health"
	if n > 1 {
		loc = "/redirect/" + strconv.Itoa(n-1)
	}
	if q := r.URL.Query().Get("absolute"); q == "1" || strings.EqualFold(q, "true") {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		loc = scheme + "://" + r.Host + loc + "?absolute=1"
	}
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusFound, map[string]any{"location": loc, "remaining": n - 1})
}

// GET /set-cookie → two Set-Cookie headers, which Relay must not pass to the browser.
func (s *server) setCookie(w http.ResponseWriter, _ *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "demo_session", Value: "session-value", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "demo_pref", Value: "dark", Path: "/", MaxAge: 3600})
	writeJSON(w, http.StatusOK, map[string]any{"cookies_set": []string{"demo_session", "demo_pref"}})
}
