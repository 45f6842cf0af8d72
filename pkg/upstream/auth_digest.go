package upstream

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/icholy/digest"

	"github.com/relay-gateway/relay/pkg/settings"
)

// digestAuth is HTTP Digest (RFC 7616) on github.com/icholy/digest. The
// upstream's last challenge is kept, so after the first 401 each request is
// answered up front with the next nonce count; a 401 with a new (or stale)
// challenge replaces it and the request is sent once more when its body can
// be sent again.
type digestAuth struct {
	user, password string
	setting        string // the auth type's settings path, for an unsupported challenge
	mu             sync.Mutex
	chal           *digest.Challenge
	count          int
}

func init() { registerAuth(settings.AuthDigest, (*Client).newDigest) }

func (c *Client) newDigest() (authenticator, error) {
	a := c.settings.Auth
	if a.BasicUser == "" || c.settings.Secrets.BasicAuthPassword == "" {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.basicUser"), Message: "user and " + c.path.Secret("basicAuthPassword") + " are required for digest auth"}
	}
	return &digestAuth{user: a.BasicUser, password: c.settings.Secrets.BasicAuthPassword, setting: c.path.JSON("auth.type")}, nil
}

func (d *digestAuth) apply(r *http.Request) error {
	d.mu.Lock()
	chal := d.chal
	d.count++
	count := d.count
	d.mu.Unlock()
	if chal == nil {
		return nil // the first request fetches the challenge
	}
	cred, err := digest.Digest(chal, digest.Options{Method: r.Method, URI: r.URL.RequestURI(), GetBody: r.GetBody,
		Count: count, Username: d.user, Password: d.password})
	if err != nil {
		return newError(KindAuth, d.setting, nil, "the upstream's digest challenge is not supported (algorithm or qop)")
	}
	r.Header.Set("Authorization", cred.String())
	return nil
}

func (d *digestAuth) close() {}

// challenged records the challenge of a 401 and reports whether sending the
// request again may succeed (a new challenge, not the one just answered);
// it makes digestAuth a challenger.
func (d *digestAuth) challenged(resp *http.Response, answered bool) bool {
	chal, err := digest.FindChallenge(resp.Header)
	if err != nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	same := d.chal != nil && d.chal.Nonce == chal.Nonce
	d.chal, d.count = chal, 0
	return !answered || !same || chal.Stale
}

// bufferBody makes a request body re-readable (GetBody), for auth kinds that
// may have to send it twice or hash it.
func bufferBody(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.GetBody != nil {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, settings.MaxRequestBodyCeiling+1))
	_ = r.Body.Close()
	if err != nil {
		return newError(KindUnknown, "", err, "reading the request body failed")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return nil
}
