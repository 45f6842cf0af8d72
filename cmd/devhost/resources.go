package main

import (
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

const resourcePrefix = "/api/datasources/uid/"

// grafanaRouteMethods are the methods Grafana's router registers for an "any method" route; others get 404.
var grafanaRouteMethods = []string{
	http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, http.MethodHead,
}

// matchResourceRoute matches /api/datasources/uid/{uid}/resources and /resources/{path...} on the escaped path,
// as Grafana's router does, and returns the uid and wildcard still escaped. Nothing is cleaned: "..", "//" and
// encoded slashes reach the plugin.
func matchResourceRoute(escapedPath string) (uidEscaped, wildcardEscaped string, ok bool) {
	rest, ok := strings.CutPrefix(escapedPath, resourcePrefix)
	if !ok {
		return "", "", false
	}
	uidEscaped, after, ok := strings.Cut(rest, "/")
	if !ok || uidEscaped == "" {
		return "", "", false
	}
	if after == "resources" {
		return uidEscaped, "", true
	}
	if wildcardEscaped, ok = strings.CutPrefix(after, "resources/"); !ok {
		return "", "", false
	}
	return uidEscaped, wildcardEscaped, true
}

// resourcePathAndURL builds CallResourceRequest.Path and .URL like Grafana: the wildcard decoded exactly once
// (a%252Fb → a%2Fb, x%3Fadmin=1 → x?admin=1, a%2Fb → a/b), and the URL re-escaped from that path plus the raw
// query. The SDK's httpadapter then parses the URL again, so the plugin's handler sees a second decoding.
func resourcePathAndURL(wildcardEscaped, rawQuery string) (path, resourceURL string, err error) {
	path, err = url.PathUnescape(wildcardEscaped)
	if err != nil {
		return "", "", err
	}
	return path, (&url.URL{Path: path, RawQuery: rawQuery}).String(), nil
}

// serveResource forwards one resource call to the plugin's CallResource stream and streams the answer back.
func (s *server) serveResource(w http.ResponseWriter, r *http.Request, u *user, uidEscaped, wildcardEscaped string) {
	if !slices.Contains(grafanaRouteMethods, r.Method) {
		writeJSONError(w, http.StatusNotFound, "Not found")
		return
	}
	uid, err := url.PathUnescape(uidEscaped)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "UID is invalid")
		return
	}
	ds := s.lookupDataSource(w, u, uid)
	if ds == nil {
		return
	}
	path, resourceURL, err := resourcePathAndURL(wildcardEscaped, r.URL.RawQuery)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "Invalid resource path")
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	headers := resourceRequestHeaders(r.Header, r.RemoteAddr, ds.keepCookies())
	if tok := s.idTokenFor(u); tok != "" {
		headers.Set(idTokenHeader, tok)
	}
	req := &pluginv2.CallResourceRequest{
		PluginContext: s.pluginContext(u, ds),
		Path:          path,
		Method:        r.Method,
		Url:           resourceURL,
		Headers:       toStringLists(headers),
		Body:          body,
	}
	if s.pluginUnavailable(w) {
		return
	}
	// r.Context() ends when the client goes away, which cancels the gRPC stream and so the plugin's ctx.
	stream, err := s.plugin().resource.CallResource(r.Context(), req)
	if err != nil {
		s.resourceCallFailed(w, r, err)
		return
	}
	s.relayResourceStream(w, r, stream)
}

// readBody reads the whole body into memory, as Grafana does, refusing more than -max-request-bytes with 413.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Body == nil {
		return nil, true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.maxRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "Request body too large")
		} else {
			writeJSONError(w, http.StatusBadRequest, "Failed to read request body")
		}
		return nil, false
	}
	return body, true
}

type resourceStream interface {
	Recv() (*pluginv2.CallResourceResponse, error)
}

// relayResourceStream writes the first message's status and headers, then each message's body as it arrives,
// flushing every time so the client sees chunks as the plugin flushes them (Grafana's chunked streaming).
func (s *server) relayResourceStream(w http.ResponseWriter, r *http.Request, stream resourceStream) {
	flusher := http.NewResponseController(w)
	started := false
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if !started {
				s.logger.Error("resource call: plugin sent no response", "path", r.URL.EscapedPath())
				writeJSONError(w, http.StatusInternalServerError, "Failed to call resource")
			}
			return
		}
		if err != nil {
			if !started {
				s.resourceCallFailed(w, r, err)
				return
			}
			if r.Context().Err() == nil {
				// The status is already sent; like Grafana, append the error to the partial body.
				s.logger.Error("resource stream failed after the first message", "error", err)
				_, _ = w.Write([]byte(`{"message":"Failed to call resource"}`))
			}
			return
		}
		if !started {
			code := int(msg.Code)
			if code < 200 || code > 999 { // 1xx would not end the header block; net/http panics outside 100-999
				s.logger.Error("resource call: plugin sent an invalid status", "status", code)
				writeJSONError(w, http.StatusInternalServerError, "Failed to call resource")
				return
			}
			resourceResponseHeaders(w.Header(), fromStringLists(msg.Headers), code)
			w.WriteHeader(code)
			started = true
		}
		if len(msg.Body) > 0 {
			if _, err := w.Write(msg.Body); err != nil {
				return // client gone; returning ends r.Context(), which cancels the stream
			}
		}
		if err := flusher.Flush(); err != nil {
			return
		}
	}
}

// resourceCallFailed answers a failure before the first message; a client that went away gets nothing.
func (s *server) resourceCallFailed(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return
	}
	s.pluginCallFailed(w, err, "Not found", "Failed to call resource")
}

func toStringLists(h http.Header) map[string]*pluginv2.StringList {
	out := make(map[string]*pluginv2.StringList, len(h))
	for name, values := range h {
		out[name] = &pluginv2.StringList{Values: values}
	}
	return out
}

// fromStringLists canonicalises names so a plugin's "content-type" and Grafana's defaults never both appear.
func fromStringLists(in map[string]*pluginv2.StringList) http.Header {
	h := make(http.Header, len(in))
	for name, list := range in {
		key := textproto.CanonicalMIMEHeaderKey(name)
		h[key] = append(h[key], list.GetValues()...)
	}
	return h
}
