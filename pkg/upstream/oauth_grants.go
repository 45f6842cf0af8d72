package upstream

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/relay-gateway/relay/pkg/settings"
)

// OAuth2 grants besides client credentials, on golang.org/x/oauth2's own
// support: the resource owner password grant (RFC 6749 4.3) and the refresh
// token grant (RFC 6749 6) with a stored refresh token. Both fetch through
// the same tokenFetcher as client credentials: the same guarded transport,
// no redirects, no upstream credential, one fetch for many requests.

// addAudience adds the audience and resource shortcuts to the token
// request's parameters.
func addAudience(params url.Values, o *settings.OAuth2) {
	if o.Audience != "" {
		params.Set("audience", o.Audience)
	}
	if o.Resource != "" {
		params.Set("resource", o.Resource)
	}
}

// useGrant makes f fetch with o's grant when it is not client credentials.
// x/oauth2 takes no extra parameters for these grants, so params (endpoint
// parameters, audience, resource) are added to the form by the transport.
func (c *Client) useGrant(f *tokenFetcher, o *settings.OAuth2, style oauth2.AuthStyle, params url.Values) {
	grant := o.GrantType
	if grant == "" || grant == settings.GrantClientCredentials {
		return
	}
	cfg := &oauth2.Config{ClientID: o.ClientID, ClientSecret: c.settings.Secrets.OAuth2ClientSecret, Scopes: o.Scopes,
		Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, AuthStyle: style}}
	f.client = &http.Client{Transport: tokenRequestTransport(c, o, params), CheckRedirect: noRedirects}
	switch grant {
	case settings.GrantPassword:
		f.secretField = c.path.Secret("oauth2Password")
		user, pass := o.Username, c.settings.Secrets.OAuth2Password
		f.source = func(ctx context.Context) (*oauth2.Token, error) {
			return cfg.PasswordCredentialsToken(ctx, user, pass)
		}
	case settings.GrantRefreshToken:
		f.secretField = c.path.Secret("oauth2RefreshToken")
		r := &refresher{c: c, cfg: cfg, current: c.settings.Secrets.OAuth2RefreshToken}
		f.source = r.token
	}
}

// refresher exchanges the refresh token for access tokens. A server that
// rotates refresh tokens answers with a new one, and the old one stops
// working: the newest is kept (in memory only; after a restart the stored
// one is used again) and added to the scrubber.
type refresher struct {
	c       *Client
	cfg     *oauth2.Config
	mu      sync.Mutex
	current string
}

func (r *refresher) token(ctx context.Context) (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tok, err := r.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: r.current}).Token()
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken != "" && tok.RefreshToken != r.current {
		r.c.scrub.add(tok.RefreshToken)
		r.current = tok.RefreshToken
	}
	return tok, nil
}

// tokenRequestTransport is the token endpoint's transport: the upstream
// client's (marked as a token fetch, see tokenTransport) plus the configured
// token-request headers and, when form is set, extra form parameters.
func tokenRequestTransport(c *Client, o *settings.OAuth2, form url.Values) http.RoundTripper {
	var next http.RoundTripper = tokenTransport{next: c.http.Transport}
	if len(o.Headers) == 0 && len(form) == 0 {
		return next
	}
	return tokenOptions{next: next, headers: o.Headers, form: form}
}

type tokenOptions struct {
	next    http.RoundTripper
	headers map[string]string
	form    url.Values
}

func (t tokenOptions) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	for k, v := range t.headers {
		out.Header.Set(k, v)
	}
	if len(t.form) > 0 && out.Body != nil && strings.HasPrefix(out.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		b, err := io.ReadAll(io.LimitReader(out.Body, 64<<10))
		_ = out.Body.Close()
		if err != nil {
			return nil, err
		}
		vals, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		for k, vs := range t.form {
			if _, set := vals[k]; !set {
				vals[k] = vs
			}
		}
		enc := vals.Encode()
		out.Body = io.NopCloser(strings.NewReader(enc))
		out.ContentLength = int64(len(enc))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(enc)), nil }
	}
	return t.next.RoundTrip(out)
}
