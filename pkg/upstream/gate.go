package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// Gate decides one outbound request: method, the full URL, and its path
// relative to the configured base URL. It returns the policy's own error.
type Gate func(ctx context.Context, method string, u *url.URL, rel string) error

// admit checks a request the client is about to send, first request or
// redirect hop: on the upstream origin it must stay below the base path and
// pass the gate; other allowed hosts (network.allowedHosts) never get
// credentials and take only GET and HEAD, so no body and no write leaves for
// a host the proxy rules do not describe. Errors are KindDenied (wrapping
// the gate's error) or KindBlocked.
func (c *Client) admit(ctx context.Context, method string, u *url.URL) *Error {
	if !c.hosts.isUpstreamOrigin(u) {
		if method != http.MethodGet && method != http.MethodHead {
			return newError(KindBlocked, "", nil, "%s to %s refused: only GET and HEAD may go to hosts other than the upstream", method, u.Host)
		}
		return nil
	}
	rel, e := c.relative(u)
	if e != nil {
		return e
	}
	if c.gate == nil {
		return nil
	}
	if err := c.gate(ctx, method, u, rel); err != nil {
		// The policy's message may quote the path (a redirect's, so the
		// upstream's text): Denial hands the policy's error to the caller,
		// so it is scrubbed, and cut only after that.
		var ae *apierr.Error
		if errors.As(err, &ae) {
			cp := *ae
			cp.Message = c.scrub.scrubCut(ae.Message, maxShownMessage)
			err = &cp
		}
		return newError(KindDenied, "", err, "%s", c.scrub.scrubCut(err.Error(), maxShownMessage))
	}
	return nil
}

// relative returns u's path below the base path ("/" for the base itself),
// refusing paths outside it. Whether the path is ambiguous is the gate's
// call: an admin-declared action may send escaped values a caller may not.
func (c *Client) relative(u *url.URL) (string, *Error) {
	base := strings.TrimSuffix(c.base.Path, "/")
	p := u.Path
	if p == "" {
		p = "/"
	}
	if base != "" && p != base && !strings.HasPrefix(p, base+"/") {
		return "", newError(KindBlocked, "", nil, "upstream path %s is outside the configured base path %s", c.shownPath(u), base+"/")
	}
	rel := strings.TrimPrefix(p, base)
	if rel == "" {
		rel = "/"
	}
	return rel, nil
}

// shownPath is u's path for a message: scrubbed (an upstream's redirect
// chose it), then cut.
func (c *Client) shownPath(u *url.URL) string {
	return c.scrub.scrubCut(u.EscapedPath(), maxShownPath)
}

// Denial returns the policy's own error when err is a gate refusal, so
// handlers answer with the policy's status and code (403 role_required, 429
// rate_limited...) rather than as an upstream failure.
func Denial(err error) (*apierr.Error, bool) {
	var e *Error
	var ae *apierr.Error
	if errors.As(err, &e) && e.Kind == KindDenied && errors.As(e.err, &ae) {
		return ae, true
	}
	return nil, false
}
