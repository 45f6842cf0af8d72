package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/relay-gateway/relay/pkg/settings"
)

// oauth2Auth attaches a client-credentials token. oauth2.ReuseTokenSource
// caches it and serialises refreshes, so many concurrent requests cause one
// token fetch, and a new one only once the token is within 10s of expiry.
// A token without expires_in is reused until the upstream refuses it (drop)
// or Close.
type oauth2Auth struct {
	ts    atomic.Pointer[oauth2.TokenSource]
	fetch *tokenFetcher
	// header and format send the token another way than
	// "Authorization: Bearer <token>" (jsonData.auth.oauth2.tokenHeader/Format).
	header, format string
	// cookie, when set, sends the token as that cookie instead (login auth).
	cookie string
	// early is how long before its Expiry a token is replaced; 0 is
	// x/oauth2's 10s. Login tokens carry their own margin (loginExpiry).
	early time.Duration
	// login is the login call of login auth, nil for OAuth2 grants.
	login *loginCall
	// lastDrop (unix ns) spaces drops: an upstream that refuses every token
	// (wrong scope, clock skew) must not turn each request into a fetch.
	lastDrop atomic.Int64
	now      func() time.Time
}

// minDropInterval is the least time between two drops of a refused token.
const minDropInterval = 10 * time.Second

func init() { registerAuth(settings.AuthOAuth2, (*Client).newOAuth2) }

func (c *Client) newOAuth2() (authenticator, error) {
	o := c.settings.Auth.OAuth2
	if o == nil {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.oauth2"), Message: "required for oauth2 auth"}
	}
	tokenURL := c.path.JSON("auth.oauth2.tokenUrl")
	tu, err := url.Parse(o.TokenURL)
	if err != nil || tu.Host == "" {
		return nil, &settings.FieldError{Field: tokenURL, Message: "must be an absolute http(s) URL"}
	}
	// The token endpoint is subject to the same host policy as everything
	// else: it must be the upstream host or listed in allowedHosts.
	if e := c.hosts.allows(tu); e != nil {
		return nil, &settings.FieldError{Field: tokenURL, Message: e.msg}
	}
	style := oauth2.AuthStyleInHeader
	if o.AuthStyle == "params" {
		style = oauth2.AuthStyleInParams
	}
	params := url.Values{}
	for k, v := range o.EndpointParams {
		params.Set(k, v)
	}
	addAudience(params, o) // oauth_grants.go
	f := &tokenFetcher{
		c:    c,
		host: originOf(tu),
		cfg: &clientcredentials.Config{
			ClientID:       o.ClientID,
			ClientSecret:   c.settings.Secrets.OAuth2ClientSecret,
			TokenURL:       o.TokenURL,
			Scopes:         o.Scopes,
			EndpointParams: params,
			AuthStyle:      style,
		},
		// Same transport chain (guard, TLS, SDK middlewares) as every other
		// request; the token endpoint's redirects are not followed.
		client: &http.Client{
			Transport: tokenRequestTransport(c, o, nil),
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	c.useGrant(f, o, style, params) // password and refresh_token (oauth_grants.go)
	return newTokenAuth(f, o.TokenHeader, o.TokenFormat), nil
}

func newTokenAuth(f *tokenFetcher, header, format string) *oauth2Auth {
	a := &oauth2Auth{fetch: f, now: time.Now, header: header, format: format}
	a.ts.Store(a.newSource())
	return a
}

// newSource is a token cache on the fetcher: one fetch for many callers.
func (a *oauth2Auth) newSource() *oauth2.TokenSource {
	var ts oauth2.TokenSource
	if a.early != 0 {
		ts = oauth2.ReuseTokenSourceWithExpiry(nil, a.fetch, a.early)
	} else {
		ts = oauth2.ReuseTokenSource(nil, a.fetch)
	}
	return &ts
}

// headerName is the header the token goes in.
func (a *oauth2Auth) headerName() string {
	if a.header == "" {
		return "Authorization"
	}
	return a.header
}

// value is the header value for tok.
func (a *oauth2Auth) value(tok *oauth2.Token) string {
	if a.cookie != "" {
		return (&http.Cookie{Name: a.cookie, Value: tok.AccessToken}).String()
	}
	if a.format == "" {
		return tok.Type() + " " + tok.AccessToken
	}
	return strings.ReplaceAll(a.format, "{{token}}", tok.AccessToken)
}

func (a *oauth2Auth) apply(r *http.Request) error {
	ts := a.ts.Load()
	if ts == nil {
		return newError(KindAuth, "", nil, "upstream client is closed")
	}
	tok, err := (*ts).Token()
	if err != nil {
		return err // already an *Error from tokenFetcher
	}
	if a.cookie != "" {
		r.AddCookie(&http.Cookie{Name: a.cookie, Value: tok.AccessToken})
		return nil
	}
	r.Header.Set(a.headerName(), a.value(tok))
	return nil
}

// sent is what drop compares: the token as sent on r.
func (a *oauth2Auth) sent(r *http.Request) string {
	if a.cookie != "" {
		if c, err := r.Cookie(a.cookie); err == nil {
			return c.String()
		}
		return ""
	}
	return r.Header.Get(a.headerName())
}

func (a *oauth2Auth) close() { a.ts.Store(nil) }

// refused makes oauth2Auth a tokenRefresher: the token sent on sent is
// dropped (see drop).
func (a *oauth2Auth) refused(sent *http.Request) bool { return a.drop(a.sent(sent)) }

// strip removes the token's header from a request to another host
// (credentialStripper); Authorization and Cookie are stripped anyway.
func (a *oauth2Auth) strip(r *http.Request) { r.Header.Del(a.headerName()) }

// drop forgets the cached token if it is the one in authorization (the
// Authorization header the upstream refused), so the next request fetches a
// new one. Concurrent refusals of one token replace it once. It reports
// whether the cached token is now a different one, i.e. whether sending the
// request again could succeed.
func (a *oauth2Auth) drop(authorization string) bool {
	cur := a.ts.Load()
	if cur == nil {
		return false
	}
	tok, err := (*cur).Token()
	if err != nil {
		return false
	}
	if a.value(tok) != authorization {
		return true // already replaced after a concurrent refusal
	}
	now, last := a.now().UnixNano(), a.lastDrop.Load()
	if now-last >= int64(minDropInterval) && a.lastDrop.CompareAndSwap(last, now) {
		a.ts.CompareAndSwap(cur, a.newSource())
		return true
	}
	return a.ts.Load() != cur // a concurrent refusal replaced it meanwhile
}

// tokenFetcher performs one client-credentials exchange per call.
type tokenFetcher struct {
	c      *Client
	host   string
	cfg    *clientcredentials.Config
	client *http.Client
	// source, when set, fetches instead of cfg (the JWT bearer grant);
	// secretField names the secret a refusal points at, tokenURL the
	// setting a failed fetch does (both full paths; defaults: OAuth2's).
	source                func(ctx context.Context) (*oauth2.Token, error)
	secretField, tokenURL string
	// what names the fetch in logs ("OAuth2 token" unless set).
	what string
}

func (f *tokenFetcher) name() string {
	if f.what == "" {
		return "OAuth2 token"
	}
	return f.what
}

func (f *tokenFetcher) Token() (*oauth2.Token, error) {
	// ReuseTokenSource gives us no context, so each fetch gets its own
	// deadline rather than the first caller's (which may be canceled).
	timeout := f.c.settings.Timeouts.Request.Duration
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	sink := &errSink{}
	ctx = context.WithValue(ctx, tokenFetchKey{}, sink)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, f.client)
	var tok *oauth2.Token
	var err error
	if f.source != nil {
		tok, err = f.source(ctx)
	} else {
		tok, err = f.cfg.Token(ctx)
	}
	if err != nil {
		e := f.c.scrub.error(f.describe(err, sink.get()))
		f.c.logger.FromContext(ctx).Warn(f.name()+" fetch failed", "tokenEndpoint", f.host, "error", e.Error())
		return nil, e
	}
	f.c.scrub.add(tok.AccessToken) // an upstream that reflects it must not show it in an error
	f.c.logger.FromContext(ctx).Debug("Fetched "+f.name(), "tokenEndpoint", f.host, "expiresIn", time.Until(tok.Expiry).Round(time.Second).String())
	return tok, nil
}

// describe builds the KindAuth error. x/oauth2 flattens transport errors into
// strings, so the transport error captured by tokenTransport is used to say
// why (blocked, timeout, TLS...).
func (f *tokenFetcher) describe(err, transportErr error) *Error {
	if transportErr != nil {
		inner := classifyAt(f.c.path, transportErr)
		e := newError(KindAuth, inner.Setting, inner, "fetching the %s from %s failed: %s", f.name(), f.host, inner.msg)
		return e
	}
	if e, ok := err.(*Error); ok { //nolint:errorlint // a source's own description (login auth)
		return e
	}
	if re, ok := err.(*oauth2.RetrieveError); ok { //nolint:errorlint // clientcredentials returns it unwrapped
		return tokenError(f.c.path, re, f)
	}
	setting := f.tokenURL
	if setting == "" {
		setting = f.c.path.JSON("auth.oauth2.tokenUrl")
	}
	return newError(KindAuth, setting, nil, "fetching the OAuth2 token from %s failed: %s", f.host, err.Error())
}

// tokenError describes a token endpoint's refusal by status and RFC 6749
// error code; the response body is never repeated. p is where the
// upstream's fields live.
func tokenError(p settings.Path, re *oauth2.RetrieveError, f *tokenFetcher) *Error {
	host := "the token endpoint"
	if f != nil {
		host = f.host
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	msg := fmt.Sprintf("OAuth2 token endpoint %s answered %d", host, status)
	if re.ErrorCode != "" {
		msg += fmt.Sprintf(" (%s)", re.ErrorCode)
	}
	if status >= 300 && status < 400 {
		msg += "; redirects are not followed for the token endpoint"
	}
	setting := ""
	if status == http.StatusBadRequest || status == http.StatusUnauthorized {
		setting = p.Secret("oauth2ClientSecret") // invalid_client / invalid_scope live in the credentials
		if f != nil && f.secretField != "" {
			setting = f.secretField
		}
	}
	e := newError(KindAuth, setting, nil, "%s", msg)
	e.Status = status
	return e
}

type tokenFetchKey struct{}

// errSink carries the transport error of a token fetch past x/oauth2.
type errSink struct {
	mu  sync.Mutex
	err error
}

func (s *errSink) set(err error) { s.mu.Lock(); s.err = err; s.mu.Unlock() }
func (s *errSink) get() error    { s.mu.Lock(); defer s.mu.Unlock(); return s.err }

func isTokenFetch(ctx context.Context) bool { return ctx.Value(tokenFetchKey{}) != nil }

type tokenTransport struct{ next http.RoundTripper }

func (t tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if s, ok := req.Context().Value(tokenFetchKey{}).(*errSink); ok {
			s.set(err)
		}
	}
	return resp, err
}

func originOf(u *url.URL) string {
	if k, err := keyOf(u); err == nil {
		return k.String()
	}
	return "the token endpoint"
}
