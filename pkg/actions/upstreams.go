package actions

import (
	"fmt"

	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// clientFor is the client of an action's upstream: the default one for ""
// or "default", else the named one. An unknown name is a settings error,
// found when the instance is built, not at the first run.
func clientFor(o Options, i int, name string) (*upstream.Client, error) {
	name = settings.CanonicalUpstream(name)
	if name == "" {
		return o.Client, nil
	}
	if c := o.Clients[name]; c != nil {
		return c, nil
	}
	return nil, &settings.FieldError{Field: fmt.Sprintf("jsonData.actions[%d].upstream", i),
		Message: fmt.Sprintf("no upstream named %q (jsonData.upstreams)", name)}
}
