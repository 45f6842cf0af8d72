package upstream

import (
	"net/http"
	"net/netip"
	"net/url"
)

// checkTarget is the request-time check for a URL: the host policy, plus, for
// IP literals, the address policy (the dial guard would refuse them too, but
// this way the error comes before any connection attempt and with the same
// wording).
func (c *Client) checkTarget(u *url.URL) *Error {
	if e := c.hosts.allows(u); e != nil {
		if a, err := netip.ParseAddr(u.Hostname()); err == nil {
			if ipErr := c.ips.check(a); ipErr != nil && ipErr.Setting == "" {
				return ipErr // always refused: do not suggest allowedHosts
			}
		}
		return e
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		return c.ips.check(a)
	}
	return nil
}

// checkRedirect is http.Client.CheckRedirect. Each hop is re-checked against
// the same policy as the first request; credentials are handled per hop by
// credentialsMiddleware. Refusals are KindRedirect (the redirect was the
// problem), except always-refused addresses, which stay KindBlocked.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	// net/http sets Referer to the previous hop's URL, query included: after
	// a redirect that kept the query, that is the apiKey-in-query credential,
	// sent on to whichever host comes next. Relay sends no Referer on hops.
	req.Header.Del("Referer")
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	refuse := func(e *Error) error {
		e.Status = status
		c.logger.FromContext(req.Context()).Warn("Refused upstream redirect", "status", status, "reason", e.msg)
		return e
	}
	if max := c.settings.Network.MaxRedirects; len(via) > max {
		f := c.path.JSON("network.maxRedirects")
		return refuse(newError(KindRedirect, f, nil, "upstream redirected more than %d times; raise %s to follow more", max, f))
	}
	prev := via[len(via)-1].URL
	if prev.Scheme == "https" && req.URL.Scheme != "https" {
		return refuse(newError(KindRedirect, "", nil, "upstream redirect from https to %s refused (downgrade)", req.URL.Scheme))
	}
	if e := c.checkTarget(req.URL); e != nil {
		kind := KindRedirect
		if isAlwaysRefused(e) {
			kind = KindBlocked
		}
		return refuse(newError(kind, e.Setting, nil, "upstream redirect refused: %s", e.msg))
	}
	// A hop is a new request: the same rules, method and base path as a
	// first one (a 307 replays a POST body, a 302 may point at an Admin path).
	if e := c.admit(req.Context(), req.Method, req.URL); e != nil {
		return refuse(newError(KindRedirect, "", nil, "upstream redirect to %s %s refused: %s", req.Method, c.shownPath(req.URL), e.msg))
	}
	return nil
}

func isAlwaysRefused(e *Error) bool { return e.Kind == KindBlocked && e.Setting == "" }
