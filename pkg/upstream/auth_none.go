package upstream

import (
	"net/http"

	"github.com/relay-gateway/relay/pkg/settings"
)

func init() {
	registerAuth(settings.AuthNone, func(*Client) (authenticator, error) { return noAuth{}, nil })
}

type noAuth struct{}

func (noAuth) apply(*http.Request) error { return nil }
func (noAuth) close()                    {}
