package upstream

import (
	"fmt"
	"net/http"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// The outbound-outcome policy: what an upstream call's failure or answer
// looks like to Relay's caller. The proxy (and its cache), queries, actions
// and the health check all decide here, so the same upstream behaviour never
// reaches a caller in two shapes.

// RefusedCredentials reports whether an upstream status says the upstream
// (or a proxy on the way) refused Relay's credentials: 401 or 407. Such an
// answer is never passed through as is: Grafana's frontend takes a 401 for a
// lost Grafana session and logs the user out.
func RefusedCredentials(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusProxyAuthRequired
}

// CredentialsError is the caller's error for an upstream answer
// RefusedCredentials reports: a 502 upstream_unauthorized that keeps the
// upstream's status in UpstreamStatus. detail, when set, says which request
// got that answer.
func CredentialsError(status int, detail string) *apierr.Error {
	if detail != "" {
		detail = " for " + detail
	}
	e := apierr.Downstream(http.StatusBadGateway, "upstream_unauthorized",
		"the upstream refused Relay's credentials (HTTP %d%s); check the data source's auth settings", status, detail)
	e.UpstreamStatus = status
	return e
}

// CallerStatus is Relay's status for an upstream's answer: success is 200, a
// client error keeps its status, refused credentials and server errors are a
// 502 (the upstream's fault, never the caller's session).
func CallerStatus(upstreamStatus int) int {
	switch {
	case upstreamStatus < 400:
		return http.StatusOK
	case RefusedCredentials(upstreamStatus), upstreamStatus >= 500:
		return http.StatusBadGateway
	}
	return upstreamStatus
}

// StatusError is the caller's error for an upstream error answer (status
// 400 or more) that is not passed on as data: upstream_unauthorized for
// refused credentials, otherwise upstream_error with CallerStatus. what names
// the request ("GET /items"), snippet is the answer's scrubbed beginning.
func StatusError(status int, what, snippet string) *apierr.Error {
	if RefusedCredentials(status) {
		e := CredentialsError(status, what)
		if snippet != "" {
			e.Message += ": " + snippet
		}
		return e
	}
	msg := fmt.Sprintf("the upstream answered HTTP %d", status)
	if what != "" {
		msg += " for " + what
	}
	if snippet != "" {
		msg += ": " + snippet
	}
	e := apierr.Downstream(CallerStatus(status), "upstream_error", "%s", msg)
	e.UpstreamStatus = status
	return e
}

// CallError maps any error of Target, NewRequest, Do, RoundTripper or a
// response body read to the caller's error: a gate refusal keeps the
// policy's own status and code (403 proxy_path_denied, 429 rate_limited...),
// a path or query the caller got wrong is a 400 of the plugin's, anything
// else is classified (Classify) as the upstream's fault. prefix goes before
// the message.
func CallError(err error, prefix string) *apierr.Error {
	if ae, ok := Denial(err); ok {
		return ae
	}
	ue := Classify(err)
	if ue.Kind == KindBadPath || ue.Kind == KindBadQuery {
		return apierr.BadRequest(ue.Kind.Code(), "%s%s", prefix, ue.Error())
	}
	return apierr.Downstream(ue.Kind.HTTPStatus(), ue.Kind.Code(), "%s%s", prefix, ue.Error())
}
