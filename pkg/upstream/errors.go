package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"golang.org/x/oauth2"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Kind says what went wrong with an upstream call, so HTTP handlers can pick a
// status without parsing messages.
type Kind int

const (
	// KindUnknown is an upstream failure we could not classify more precisely.
	KindUnknown Kind = iota
	// KindBlocked: refused by policy (SSRF guard, host allowlist, scheme).
	KindBlocked
	// KindTimeout: a dial, TLS, response-header or whole-request deadline passed.
	KindTimeout
	// KindUnreachable: connection refused or reset, DNS failure, early EOF.
	KindUnreachable
	// KindTLS: certificate verification or handshake failure.
	KindTLS
	// KindRedirect: a redirect was refused (target not allowed, too many hops, downgrade).
	KindRedirect
	// KindBadPath: the caller's upstream path was refused by JoinPath.
	KindBadPath
	// KindAuth: fetching upstream credentials (OAuth2 token) failed.
	KindAuth
	// KindCanceled: the caller's context was canceled (client went away).
	KindCanceled
	// KindTooLarge: the response body exceeded the configured limit.
	KindTooLarge
	// KindDenied: the gate (the caller's policy) refused the request; the
	// policy's own error is wrapped (errors.As finds it).
	KindDenied
	// KindBadQuery: the caller's query string could not be parsed.
	KindBadQuery
)

var kindInfo = map[Kind]struct {
	name, code string
	status     int
}{
	KindUnknown:     {"unknown", "upstream_error", http.StatusBadGateway},
	KindBlocked:     {"blocked", "upstream_blocked", http.StatusBadGateway},
	KindTimeout:     {"timeout", "upstream_timeout", http.StatusGatewayTimeout},
	KindUnreachable: {"unreachable", "upstream_unreachable", http.StatusBadGateway},
	KindTLS:         {"tls", "upstream_tls", http.StatusBadGateway},
	KindRedirect:    {"redirect", "upstream_redirect", http.StatusBadGateway},
	KindBadPath:     {"bad_path", "bad_path", http.StatusBadRequest},
	KindAuth:        {"auth", "upstream_auth", http.StatusBadGateway},
	// 499 is the de-facto "client closed request"; nobody reads it, but logs do.
	KindCanceled: {"canceled", "client_canceled", 499},
	KindTooLarge: {"too_large", "upstream_too_large", http.StatusBadGateway},
	KindDenied:   {"denied", "upstream_denied", http.StatusForbidden},
	KindBadQuery: {"bad_query", "bad_query", http.StatusBadRequest},
}

func (k Kind) String() string { return kindInfo[k].name }

// Code is the machine-readable error code for Relay's JSON error body.
func (k Kind) Code() string { return kindInfo[k].code }

// HTTPStatus is the status a handler should answer with. Blocked is 502, not
// 403: the caller is not forbidden, the configured upstream is unusable.
func (k Kind) HTTPStatus() int { return kindInfo[k].status }

// Error is every error Do and RoundTripper return. Its message is safe to show
// to users: it never contains secret values, credentials or request URLs.
type Error struct {
	Kind Kind
	// Status is the upstream (or token endpoint) HTTP status, when there was one.
	Status int
	// Setting names the setting that would change the outcome, e.g.
	// "jsonData.network.allowedHosts"; empty when none would (always refused).
	Setting string
	msg     string
	err     error // cause, with any *url.Error (which carries URLs) peeled off
}

func (e *Error) Error() string { return e.msg }

// Unwrap exposes the cause so errors.Is(err, context.DeadlineExceeded) and
// friends keep working.
func (e *Error) Unwrap() error { return e.err }

func newError(kind Kind, setting string, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Setting: setting, msg: fmt.Sprintf(format, args...), err: cause}
}

// Classify maps any error from Do, RoundTripper or a response body read to an
// *Error. It returns nil for nil. Errors the client returns are *Error
// already, each naming its own upstream's settings; anything else is
// classified with the default upstream's setting names.
func Classify(err error) *Error { return classifyAt(settings.Path{}, err) }

// classifyAt is Classify naming the settings of the upstream whose fields
// live at p.
func classifyAt(p settings.Path, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	cause := peelURLError(err)
	detail := cause.Error()
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return newError(KindCanceled, "", cause, "upstream request canceled")
	// Before DeadlineExceeded: net/http's own timeout errors also match it,
	// and this is where we can tell which setting ran out.
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return classifyTimeout(p, cause)
	case errors.Is(err, httpclient.ErrResponseBodyTooLarge):
		return newError(KindTooLarge, p.JSON("proxy.maxResponseBytes"), cause, "upstream response body exceeds the size limit")
	case isTLSError(err):
		return newError(KindTLS, "", cause, "upstream TLS error: %s", detail)
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return newError(KindUnreachable, p.URL(), cause, "upstream host name could not be resolved: %s", dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return newError(KindUnreachable, "", cause, "upstream refused the connection")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return newError(KindUnreachable, "", cause, "upstream reset the connection")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return newError(KindUnreachable, "", cause, "upstream closed the connection unexpectedly")
	case errors.As(err, &opErr):
		return newError(KindUnreachable, "", cause, "upstream unreachable: %s", detail)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return tokenError(p, re, nil)
	}
	return newError(KindUnknown, "", cause, "upstream request failed: %s", detail)
}

// classifyTimeout tells the transport's timeouts apart so the message names
// the setting to raise. net/http exposes these only as strings.
func classifyTimeout(p settings.Path, cause error) *Error {
	s := cause.Error()
	var op *net.OpError
	switch {
	case strings.Contains(s, "timeout awaiting response headers"):
		f := p.JSON("timeouts.responseHeader")
		return newError(KindTimeout, f, cause, "upstream sent no response headers in time (%s)", f)
	case strings.Contains(s, "TLS handshake timeout"):
		f := p.JSON("timeouts.tlsHandshake")
		return newError(KindTimeout, f, cause, "upstream TLS handshake timed out (%s)", f)
	case errors.As(cause, &op) && op.Op == "dial":
		f := p.JSON("timeouts.dial")
		return newError(KindTimeout, f, cause, "connecting to the upstream timed out (%s)", f)
	}
	return newError(KindTimeout, "", cause, "upstream request timed out")
}

func isTLSError(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		record      tls.RecordHeaderError
		alert       tls.AlertError
		echReject   *tls.ECHRejectionError
	)
	return errors.As(err, &unknownAuth) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) || errors.As(err, &echReject) ||
		strings.Contains(err.Error(), "tls: ")
}

// peelURLError drops *url.Error wrappers: they repeat the request URL, which
// may carry caller query strings or a redirect target we do not control.
func peelURLError(err error) error {
	var ue *url.Error
	for errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	return err
}
