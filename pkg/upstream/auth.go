package upstream

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/relay-gateway/relay/pkg/settings"
)

// authenticator attaches one auth kind's credentials to a request that is
// known to target the upstream origin. req is a private clone.
//
// Each auth kind is one file (auth_<kind>.go) whose init registers how its
// authenticator is built (registerAuth); the kinds themselves, their
// fields and validation are pkg/settings' registry. What the client needs
// from only some kinds are the optional interfaces below, which the client
// checks for instead of the concrete types.
type authenticator interface {
	apply(req *http.Request) error
	close()
}

// challenger is a challenge-response kind (Digest): a 401 carries the
// challenge to answer. The body of each request is made re-readable before
// it is sent, so the request can be sent again with the answer.
// challenged records the 401's challenge and reports whether sending the
// request again may succeed; answered says the refused request carried an
// answer already.
type challenger interface {
	challenged(resp *http.Response, answered bool) bool
}

// tokenRefresher is a kind sending a fetched token, which the upstream may
// revoke or rotate before its expiry: refused forgets the token sent on
// sent (as the upstream answered 401 to it) and reports whether the next
// token is a different one, i.e. whether sending again may succeed.
type tokenRefresher interface {
	refused(sent *http.Request) bool
}

// credentialStripper is a kind whose credentials travel somewhere the
// common list of stripCredentials does not cover (a header or query
// parameter of its own name); strip removes them from a request to
// another host.
type credentialStripper interface {
	strip(r *http.Request)
}

// authNoter is a kind with something to say in Health (login: where Relay
// logged in); "" when nothing.
type authNoter interface {
	note() string
}

// authBuilders maps each settings auth kind to how its authenticator is
// built; TestEveryAuthKindHasAnAuthenticator checks none is missing.
var authBuilders = map[string]func(c *Client) (authenticator, error){}

// registerAuth adds an auth kind's builder; each kind's file calls it from init.
func registerAuth(kind string, build func(c *Client) (authenticator, error)) {
	if _, dup := authBuilders[kind]; dup {
		panic("upstream: auth kind " + kind + " registered twice")
	}
	authBuilders[kind] = build
}

func (c *Client) newAuthenticator() (authenticator, error) {
	kind := c.settings.Auth.Type
	if kind == "" {
		kind = settings.AuthNone
	}
	build, ok := authBuilders[kind]
	if !ok {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.type"), Message: "unknown auth type " + kind}
	}
	return build(c)
}

// credentialsMiddleware is the only place credentials are added. It runs per
// transport round trip, so each redirect hop is judged on its own origin:
// the upstream origin gets custom headers, X-Grafana-User and auth; any other
// host gets none, and credential headers the standard client copies across
// redirects (it keeps Authorization for subdomains and other ports) are
// stripped.
func (c *Client) credentialsMiddleware(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
	return httpclient.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if isTokenFetch(req.Context()) {
			// x/oauth2 built this request: only the client credentials.
			return next.RoundTrip(req)
		}
		if !c.hosts.isUpstreamOrigin(req.URL) {
			out := withOwnHeader(req)
			dropGrafanaHeaders(out.Header)
			c.stripCredentials(out)
			return next.RoundTrip(out)
		}
		ch, challenges := c.auth.(challenger)
		if challenges {
			req = req.WithContext(req.Context()) // a copy: the body is made re-readable on it
			if err := bufferBody(req); err != nil {
				return nil, err
			}
		}
		out, err := c.withCredentials(req)
		if err != nil {
			return nil, err
		}
		resp, err := next.RoundTrip(out)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			return resp, err
		}
		if challenges {
			return c.answerChallenge(ch, next, req, out, resp)
		}
		if r, ok := c.auth.(tokenRefresher); ok {
			return c.retryWithNewToken(r, next, req, out, resp)
		}
		return resp, nil
	})
}

// withCredentials is req as sent to the upstream origin: a header map of its
// own without Grafana's headers, plus the custom headers, X-Grafana-User, the
// caller's Grafana ID token (forwardGrafanaIdToken) and the auth mode's credentials.
func (c *Client) withCredentials(req *http.Request) (*http.Request, error) {
	out := withOwnHeader(req)
	dropGrafanaHeaders(out.Header)
	for _, h := range c.settings.Headers {
		if v := c.headerValue(h); v != "" {
			out.Header.Set(h.Name, v)
		}
	}
	if c.settings.SendUserHeader {
		// Identity comes only from PluginContext.User (put in the context
		// by the SDK), never from an incoming header.
		if u := backend.UserFromContext(out.Context()); u != nil && u.Login != "" {
			out.Header.Set("X-Grafana-User", u.Login)
		}
	}
	if c.settings.ForwardGrafanaIDToken {
		// After dropGrafanaHeaders: only the token Grafana handed the
		// plugin for this call, never a header a client added to the request.
		if id := grafanaIDFromContext(out.Context()); id != "" {
			out.Header.Set(backend.GrafanaUserSignInTokenHeaderName, id)
		}
	}
	return out, c.auth.apply(out)
}

// headerValue is a custom header's value: plain ones carry it in jsonData,
// secret ones in secureJsonData (settings.Secrets.Headers).
func (c *Client) headerValue(h settings.Header) string {
	if h.Secret {
		return c.settings.Secrets.Headers[h.Name]
	}
	return h.Value
}

// dropGrafanaHeaders removes X-Grafana-* (X-Grafana-User, X-Grafana-Id, ...):
// Grafana passes client-sent copies through, and only Relay may set them.
func dropGrafanaHeaders(h http.Header) {
	for k := range h {
		if strings.HasPrefix(textproto.CanonicalMIMEHeaderKey(k), "X-Grafana-") {
			delete(h, k)
		}
	}
}

// stripCredentials removes everything that could carry an upstream secret or
// the user's identity from a request to a host other than the upstream.
func (c *Client) stripCredentials(r *http.Request) {
	for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie", backend.OAuthIdentityIDTokenHeaderName,
		"X-Amz-Security-Token", "X-Amz-Date", "X-Amz-Content-Sha256", "Referer"} {
		r.Header.Del(h)
	}
	for _, h := range c.settings.Headers {
		r.Header.Del(h.Name)
	}
	if k, ok := c.auth.(credentialStripper); ok {
		k.strip(r)
	}
}

// withOwnHeader is a shallow copy of r with a header map of its own: what a
// RoundTripper may change without touching its caller's request. Code that
// changes the URL goes through setRawQuery, which copies it first.
func withOwnHeader(r *http.Request) *http.Request {
	out := r.WithContext(r.Context())
	out.Header = r.Header.Clone()
	if out.Header == nil {
		out.Header = http.Header{}
	}
	return out
}

// setRawQuery replaces r's query on a copy of its URL, which withOwnHeader
// still shares with the caller.
func setRawQuery(r *http.Request, raw string) {
	u := *r.URL
	u.RawQuery = raw
	r.URL = &u
}
