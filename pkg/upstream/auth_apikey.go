package upstream

import (
	"net/http"

	"github.com/relay-gateway/relay/pkg/settings"
)

func init() {
	registerAuth(settings.AuthAPIKey, func(c *Client) (authenticator, error) {
		a := c.settings.Auth
		return apiKeyAuth{name: a.APIKeyName, inQuery: a.APIKeyIn == "query", value: c.settings.Secrets.APIKeyValue}, nil
	})
}

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

// strip removes the key (header or query parameter) from a request to
// another host (credentialStripper).
func (k apiKeyAuth) strip(r *http.Request) {
	if !k.inQuery {
		r.Header.Del(k.name)
		return
	}
	// An upstream that echoes its query into a Location header must not
	// hand our key to the next host.
	q := r.URL.Query()
	if _, ok := q[k.name]; ok {
		q.Del(k.name)
		setRawQuery(r, q.Encode())
	}
}
