package upstream

import (
	"net/http"

	"github.com/relay-gateway/relay/pkg/settings"
)

func init() {
	registerAuth(settings.AuthBasic, func(c *Client) (authenticator, error) {
		return basicAuth{user: c.settings.Auth.BasicUser, password: c.settings.Secrets.BasicAuthPassword}, nil
	})
}

type basicAuth struct{ user, password string }

func (b basicAuth) apply(r *http.Request) error { r.SetBasicAuth(b.user, b.password); return nil }
func (basicAuth) close()                        {}
