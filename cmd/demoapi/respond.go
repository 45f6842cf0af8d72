package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

const contentTypeJSON = "application/json"

// apiError is the error shape used across Relay: {"error": ..., "code": ..., "status": N}.
type apiError struct {
	Error  string `json:"error"`
	Code   string `json:"code"`
	Status int    `json:"status"`
}

// encodeJSON marshals without HTML escaping so URLs in bodies (the "next" links) keep a literal "&".
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// internalErrorBody is sent if a value cannot be encoded: a programming error whose details stay in the process.
var internalErrorBody = []byte(`{"error":"internal server error","code":"internal","status":500}` + "\n")

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		status, body = http.StatusInternalServerError, internalErrorBody
	}
	writeBody(w, status, contentTypeJSON, body)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Error: msg, Code: code, Status: status})
}

// writeBody sends a complete body with Content-Length, so size limits downstream can act on the header.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// writeNegotiated gzips the body when the client accepts it, as real APIs do for their bulk endpoints. It is used
// for listings and exports only, so small JSON responses stay uncompressed and easy to inspect.
func writeNegotiated(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	w.Header().Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		writeBody(w, status, contentType, body)
		return
	}
	writeGzip(w, status, contentType, body)
}

func writeNegotiatedJSON(w http.ResponseWriter, r *http.Request, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		writeBody(w, http.StatusInternalServerError, contentTypeJSON, internalErrorBody)
		return
	}
	writeNegotiated(w, r, http.StatusOK, contentTypeJSON, body)
}

// writeGzip sends body gzip-compressed with Content-Encoding: gzip and the compressed Content-Length.
func writeGzip(w http.ResponseWriter, status int, contentType string, body []byte) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body) // writes to a bytes.Buffer cannot fail
	zw.Close()
	w.Header().Set("Content-Encoding", "gzip")
	writeBody(w, status, contentType, buf.Bytes())
}

// acceptsGzip reads Accept-Encoding, honouring q-values: "gzip;q=0" refuses gzip even if "*" is accepted.
func acceptsGzip(r *http.Request) bool {
	gz, star := -1.0, -1.0
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				if k, val, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					}
				}
			}
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "gzip", "x-gzip":
				gz = q
			case "*":
				star = q
			}
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// intParam reads an optional integer query parameter within [lo, hi]; an absent or empty value gives def.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &paramError{name: name, msg: "must be an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)}
	}
	return n, nil
}

// paramError is a client mistake in a query parameter, answered with 400.
type paramError struct{ name, msg string }

func (e *paramError) Error() string { return e.name + " " + e.msg }

func badRequest(w http.ResponseWriter, err error) {
	writeError(w, http.StatusBadRequest, "bad_request", err.Error())
}
