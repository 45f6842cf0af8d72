package upstream

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/relay-gateway/relay/pkg/settings"
)

// newJWT is the OAuth2 JWT bearer grant (RFC 7523) on golang.org/x/oauth2/jwt:
// Relay signs an assertion with the configured private key, or a Google
// service-account key file's, and exchanges it at the token URL. The token
// endpoint is fetched exactly as client-credentials tokens are (tokenFetcher):
// the same host policy, dial guard, TLS and outbound proxy, no redirects, no
// upstream credential on it, one fetch for many concurrent requests.
func init() { registerAuth(settings.AuthJWT, (*Client).newJWT) }

func (c *Client) newJWT() (authenticator, error) {
	j, sec := c.settings.Auth.JWT, c.settings.Secrets
	if j == nil {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.jwt"), Message: "required for jwt auth"}
	}
	cfg := &jwt.Config{Email: j.Email, Subject: j.Subject, Scopes: j.Scopes, TokenURL: j.TokenURL,
		Audience: j.Audience, PrivateKey: []byte(sec.JWTPrivateKey), PrivateKeyID: j.PrivateKeyID}
	secretField, tokenURL := c.path.Secret("jwtPrivateKey"), c.path.JSON("auth.jwt.tokenUrl")
	if sec.GoogleServiceAccountJSON != "" {
		sa, why := settings.ParseGoogleServiceAccount(sec.GoogleServiceAccountJSON)
		if sa == nil {
			return nil, &settings.FieldError{Field: c.settings.Path().Secret("googleServiceAccountJSON"), Message: why}
		}
		secretField = c.path.Secret("googleServiceAccountJSON")
		cfg.Email, cfg.PrivateKey, cfg.PrivateKeyID = sa.ClientEmail, []byte(sa.PrivateKey), sa.PrivateKeyID
		if cfg.TokenURL == "" {
			cfg.TokenURL = sa.TokenURI
		}
	}
	tu, err := url.Parse(cfg.TokenURL)
	if err != nil || tu.Host == "" {
		return nil, &settings.FieldError{Field: tokenURL, Message: "must be an absolute http(s) URL"}
	}
	if e := c.hosts.allows(tu); e != nil {
		return nil, &settings.FieldError{Field: tokenURL, Message: e.msg}
	}
	// A key x/oauth2 cannot use fails here, at load, not at the first call.
	if !rsaKey(cfg.PrivateKey) {
		return nil, &settings.FieldError{Field: secretField, Message: "not a PEM RSA private key (PKCS#1 or PKCS#8)"}
	}
	f := &tokenFetcher{
		c:           c,
		host:        originOf(tu),
		secretField: secretField,
		tokenURL:    tokenURL,
		source: func(ctx context.Context) (*oauth2.Token, error) {
			// x/oauth2/jwt sends its request without our context; the
			// transport puts it back (deadline, token-fetch mark, error sink).
			hc := &http.Client{Transport: boundTransport{next: tokenTransport{next: c.http.Transport}, ctx: ctx}, CheckRedirect: noRedirects}
			return cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc)).Token()
		},
	}
	return newTokenAuth(f, j.TokenHeader, j.TokenFormat), nil
}

// rsaKey reports whether key is what x/oauth2/jwt signs with: an RSA key in
// PEM (or bare DER), PKCS#8 or PKCS#1.
func rsaKey(key []byte) bool {
	if b, _ := pem.Decode(key); b != nil {
		key = b.Bytes
	}
	if k, err := x509.ParsePKCS8PrivateKey(key); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(key)
	return err == nil
}

// boundTransport sends every request with ctx.
type boundTransport struct {
	next http.RoundTripper
	ctx  context.Context
}

func (t boundTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(req.WithContext(t.ctx))
}
