package upstream

import (
	"net/http"

	"github.com/relay-gateway/relay/pkg/settings"
)

func init() {
	registerAuth(settings.AuthBearer, func(c *Client) (authenticator, error) {
		return bearerAuth{token: c.settings.Secrets.BearerToken}, nil
	})
}

type bearerAuth struct{ token string }

func (b bearerAuth) apply(r *http.Request) error {
	r.Header.Set("Authorization", "Bearer "+b.token)
	return nil
}
func (bearerAuth) close() {}
