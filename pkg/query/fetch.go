package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// AuthorizeFunc decides whether a caller may send method to an upstream
// path; the proxy's rules provide it, so queries obey the same policy.
type AuthorizeFunc func(c authz.Caller, method, path string) *apierr.Error

// request is one upstream call of a query.
type request struct {
	Method  string
	Path    string
	Params  url.Values
	Headers map[string]string
	Body    string
}

// page is one upstream answer, read whole (bounded by maxInputBytes).
type page struct {
	Body        []byte
	ContentType string
	Header      http.Header
}

// fetch performs one call and reads the body up to limit bytes. Errors are
// *apierr.Error tagged with their source.
func (r *Runner) fetch(ctx context.Context, req request) (*page, error) {
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	out, err := r.client.NewRequest(ctx, req.Method, req.Path, req.Params, body)
	if err != nil {
		ue := upstream.Classify(err)
		return nil, apierr.New(ue.Kind.HTTPStatus(), ue.Kind.Code(), "%s", ue.Error())
	}
	for k, v := range req.Headers {
		out.Header.Set(k, v)
	}
	if req.Body != "" && out.Header.Get("Content-Type") == "" {
		out.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(out)
	if err != nil {
		ue := upstream.Classify(err)
		return nil, apierr.Downstream(ue.Kind.HTTPStatus(), ue.Kind.Code(), "%s", ue.Error())
	}
	defer resp.Body.Close()
	limit := r.settings.Transform.MaxInputBytes
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		ue := upstream.Classify(err)
		return nil, apierr.Downstream(ue.Kind.HTTPStatus(), ue.Kind.Code(), "reading the upstream response: %s", ue.Error())
	}
	if int64(len(data)) > limit {
		return nil, apierr.Downstream(http.StatusRequestEntityTooLarge, "input_too_large",
			"the upstream response exceeds transform.maxInputBytes (%d bytes)", limit)
	}
	if resp.StatusCode >= 400 {
		return nil, upstreamStatusError(req, resp.StatusCode, data)
	}
	return &page{Body: data, ContentType: resp.Header.Get("Content-Type"), Header: resp.Header}, nil
}

// upstreamStatusError reports an upstream error answer; a 401 never passes
// through as 401, which Grafana's frontend would read as a lost session.
func upstreamStatusError(req request, status int, body []byte) *apierr.Error {
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	code, httpStatus := "upstream_error", status
	msg := fmt.Sprintf("the upstream answered HTTP %d for %s %s", status, req.Method, req.Path)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusProxyAuthRequired:
		code, httpStatus = "upstream_unauthorized", http.StatusBadGateway
		msg += "; check the data source's auth settings"
	case status >= 500:
		httpStatus = http.StatusBadGateway
	}
	if snippet != "" {
		msg += ": " + snippet
	}
	e := apierr.Downstream(httpStatus, code, "%s", msg)
	e.UpstreamStatus = status
	return e
}

// asAPIError turns any error of this package into an *apierr.Error.
func asAPIError(err error) *apierr.Error {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e
	}
	return apierr.Internal()
}
