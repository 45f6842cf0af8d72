package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// The echo endpoints show exactly what reached the upstream: method, path as sent, query, every header (including
// Authorization and cookies, which is the point: tests check what Relay injected, forwarded or stripped) and body.

const maxEchoBody = 10 << 20

type echoResponse struct {
	Method      string `json:"method"`
	Path        string `json:"path"`         // decoded
	RawPath     string `json:"raw_path"`     // r.URL.RawPath: set only when the sent encoding differs from the default
	EscapedPath string `json:"escaped_path"` // the path as sent, encoded
	RequestURI  string `json:"request_uri"`  // the request-target verbatim
	// Rest is the part after /api/echo/ (decoded); absent for POST /api/echo.
	Rest             *string         `json:"rest,omitempty"`
	RawQuery         string          `json:"raw_query"`
	Query            url.Values      `json:"query"`
	Host             string          `json:"host"`
	Proto            string          `json:"proto"`
	Headers          http.Header     `json:"headers"`
	ContentLength    int64           `json:"content_length"`
	TransferEncoding []string        `json:"transfer_encoding,omitempty"`
	Body             string          `json:"body"`
	BodyEncoding     string          `json:"body_encoding"`  // "utf-8", or "base64" for binary bodies
	JSON             json.RawMessage `json:"json,omitempty"` // the body again, when it is valid JSON
}

// POST /api/echo
func (s *server) echo(w http.ResponseWriter, r *http.Request) { s.writeEcho(w, r, nil) }

// ANY /api/echo/{rest...}, dispatched by route without path cleaning.
func (s *server) echoRest(w http.ResponseWriter, r *http.Request, rest string) {
	s.writeEcho(w, r, &rest)
}

func (s *server) writeEcho(w http.ResponseWriter, r *http.Request, rest *string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEchoBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "body exceeds 10 MiB")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "bad_body", "could not read the request body")
		return
	}
	query, _ := url.ParseQuery(r.URL.RawQuery) // keep what parses; raw_query has the rest
	resp := echoResponse{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, EscapedPath: r.URL.EscapedPath(),
		RequestURI: r.RequestURI, Rest: rest, RawQuery: r.URL.RawQuery, Query: query, Host: r.Host, Proto: r.Proto,
		Headers: r.Header, ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding,
		Body: string(body), BodyEncoding: "utf-8",
	}
	if !utf8.Valid(body) {
		resp.Body, resp.BodyEncoding = base64.StdEncoding.EncodeToString(body), "base64"
	} else if len(body) > 0 && json.Valid(body) {
		resp.JSON = body
	}
	writeJSON(w, http.StatusOK, resp)
}

// GET /headers → the request headers only.
func (s *server) headers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"host": r.Host, "headers": r.Header})
}
