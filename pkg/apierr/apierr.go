// Package apierr writes Relay's JSON errors: {"error", "code", "status"} plus
// where the fault lies (plugin or downstream), so Grafana, scripts and the
// editors all get the same, actionable shape.
package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Source says whose fault an error is, as Grafana's error source does.
type Source string

const (
	SourcePlugin     Source = "plugin"
	SourceDownstream Source = "downstream"
)

// Error is an HTTP error with a stable machine-readable code.
type Error struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"error"`
	Source  Source `json:"source,omitempty"`
	// UpstreamStatus is the upstream's HTTP status when the upstream answered.
	UpstreamStatus int `json:"upstreamStatus,omitempty"`
	// Details carries structured extras, e.g. per-field validation errors.
	Details any `json:"details,omitempty"`
	// RetryAfter, when set, becomes the Retry-After header (seconds).
	RetryAfter int `json:"-"`
	// Allow, when set, becomes the Allow header of a 405.
	Allow string `json:"-"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// New returns a plugin-side error.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...), Source: SourcePlugin}
}

// Downstream returns an error caused by the upstream API.
func Downstream(status int, code, format string, args ...any) *Error {
	e := New(status, code, format, args...)
	e.Source = SourceDownstream
	return e
}

// Common errors.
func BadRequest(code, format string, args ...any) *Error {
	return New(http.StatusBadRequest, code, format, args...)
}

func NotFound(format string, args ...any) *Error {
	return New(http.StatusNotFound, "not_found", format, args...)
}

func Forbidden(code, format string, args ...any) *Error {
	return New(http.StatusForbidden, code, format, args...)
}

func TooLarge(limit int64) *Error {
	return New(http.StatusRequestEntityTooLarge, "body_too_large", "request body exceeds the limit of %d bytes", limit)
}

// Internal hides the cause: internals never reach the caller.
func Internal() *Error {
	return New(http.StatusInternalServerError, "internal", "internal error; see the plugin log for the request id")
}

// Write sends e as JSON and marks the request's error source for Grafana's metrics.
func Write(w http.ResponseWriter, r *http.Request, e *Error) {
	if r != nil && e.Source == SourceDownstream {
		_ = backend.WithDownstreamErrorSource(r.Context())
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Del("ETag")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if e.Allow != "" {
		h.Set("Allow", e.Allow)
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(e)
}

// From converts any error to an *Error; unknown errors become Internal.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal()
}
