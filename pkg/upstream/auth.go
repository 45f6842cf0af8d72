package upstream

import (
	"io"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/relay-gateway/relay/pkg/settings"
)

// authenticator attaches one auth mode's credentials to a request that is
// known to target the upstream origin. req is a private clone.
type authenticator interface {
	apply(req *http.Request) error
	close()
}

func (c *Client) newAuthenticator() (authenticator, error) {
	a, sec := c.settings.Auth, c.settings.Secrets
	switch a.Type {
	case settings.AuthNone, "":
		return noAuth{}, nil
	case settings.AuthBasic:
		return basicAuth{user: a.BasicUser, password: sec.BasicAuthPassword}, nil
	case settings.AuthBearer:
		return bearerAuth{token: sec.BearerToken}, nil
	case settings.AuthAPIKey:
		return apiKeyAuth{name: a.APIKeyName, inQuery: a.APIKeyIn == "query", value: sec.APIKeyValue}, nil
	case settings.AuthOAuth2:
		return c.newOAuth2()
	case settings.AuthForwardOAuth:
		return forwardAuth{}, nil
	case settings.AuthSigV4:
		return c.newSigV4()
	case settings.AuthDigest:
		return c.newDigest()
	case settings.AuthJWT:
		return c.newJWT()
	case settings.AuthAzure:
		return c.newAzure()
	case settings.AuthLogin:
		return c.newLogin()
	}
	return nil, &settings.FieldError{Field: "jsonData.auth.type", Message: "unknown auth type " + a.Type}
}

type noAuth struct{}

func (noAuth) apply(*http.Request) error { return nil }
func (noAuth) close()                    {}

type basicAuth struct{ user, password string }

func (b basicAuth) apply(r *http.Request) error { r.SetBasicAuth(b.user, b.password); return nil }
func (basicAuth) close()                        {}

type bearerAuth struct{ token string }

func (b bearerAuth) apply(r *http.Request) error {
	r.Header.Set("Authorization", "Bearer "+b.token)
	return nil
}
func (bearerAuth) close() {}

type apiKeyAuth struct {
	name, value string
	inQuery     bool
}

func (k apiKeyAuth) apply(r *http.Request) error {
	if !k.inQuery {
		r.Header.Set(k.name, k.value)
		return nil
	}
	// A URL of its own, so the key never shows up in the caller's URL,
	// traces or url.Error messages.
	q := r.URL.Query()
	q.Set(k.name, k.value)
	setRawQuery(r, q.Encode())
	return nil
}
func (apiKeyAuth) close() {}

// forwardAuth sends the signed-in user's own OAuth tokens, as captured by
// WithForwardedHeaders.
type forwardAuth struct{}

func (forwardAuth) apply(r *http.Request) error {
	for k, v := range forwardedFromContext(r.Context()) {
		r.Header[k] = append([]string(nil), v...)
	}
	return nil
}
func (forwardAuth) close() {}

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
		if _, ok := c.auth.(*digestAuth); ok {
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
		if d, ok := c.auth.(*digestAuth); ok {
			return c.retryDigest(d, next, req, out, resp)
		}
		return c.retryWithNewToken(next, req, out, resp)
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

// retryWithNewToken handles an upstream 401 to an OAuth2 request: the token
// may have been revoked or rotated before its expiry, so it is dropped and
// the next request fetches a new one. A request that can be sent again
// (GET, HEAD, OPTIONS without a body) is retried once, now; any other gets
// the 401.
func (c *Client) retryWithNewToken(next http.RoundTripper, req, sent *http.Request, resp *http.Response) (*http.Response, error) {
	o, ok := c.auth.(*oauth2Auth)
	if !ok || !o.drop(o.sent(sent)) || !resendable(req) {
		return resp, nil
	}
	c.logger.FromContext(req.Context()).Warn("Upstream refused the OAuth2 token; retrying with a new one", "method", req.Method, "upstream", c.Origin())
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	out, err := c.withCredentials(req)
	if err != nil {
		return nil, err
	}
	return next.RoundTrip(out)
}

func resendable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return r.Body == nil || r.Body == http.NoBody
	}
	return false
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
	if o, ok := c.auth.(*oauth2Auth); ok {
		r.Header.Del(o.headerName())
	}
	a := c.settings.Auth
	if a.Type == settings.AuthAPIKey {
		if a.APIKeyIn == "query" {
			// An upstream that echoes its query into a Location header
			// must not hand our key to the next host.
			q := r.URL.Query()
			if _, ok := q[a.APIKeyName]; ok {
				q.Del(a.APIKeyName)
				setRawQuery(r, q.Encode())
			}
		} else {
			r.Header.Del(a.APIKeyName)
		}
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
