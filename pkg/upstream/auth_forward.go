package upstream

import (
	"net/http"

	"github.com/relay-gateway/relay/pkg/settings"
)

func init() {
	registerAuth(settings.AuthForwardOAuth, func(*Client) (authenticator, error) { return forwardAuth{}, nil })
}

// forwardAuth sends the signed-in user's own OAuth tokens, as captured by
// WithForwardedHeaders (forward.go). That answers then differ by user is
// the settings kind's perUser, which the caches read.
type forwardAuth struct{}

func (forwardAuth) apply(r *http.Request) error {
	for k, v := range forwardedFromContext(r.Context()) {
		r.Header[k] = append([]string(nil), v...)
	}
	return nil
}
func (forwardAuth) close() {}
