package actions

import (
	"fmt"

	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// clientFor is the client of an action's upstream (upstream.Set.Lookup: the
// default one for "" or "default", else the named one). An unknown name is a
// settings error, found when the instance is built, not at the first run.
func clientFor(o Options, i int, name string) (*upstream.Client, *settings.FieldError) {
	c, err := o.Upstreams.Lookup(name)
	if err != nil {
		return nil, &settings.FieldError{Field: fmt.Sprintf("jsonData.actions[%d].upstream", i), Message: err.Message}
	}
	return c, nil
}
