package upstream

import (
	"fmt"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Set is every upstream of a data source, one client each: the default
// upstream (the data source's URL) first, then jsonData.upstreams in order.
// The plugin builds it once per instance and hands the same value to the
// proxy, queries, actions and the health check; Lookup is the one place a
// name a caller or an admin wrote becomes an upstream.
type Set struct {
	all    []*Client
	byName map[string]*Client // by internal name, "" the default
}

// NewSet holds clients, the default upstream's first.
func NewSet(clients ...*Client) *Set {
	s := &Set{all: clients, byName: make(map[string]*Client, len(clients))}
	for _, c := range clients {
		s.byName[c.Name()] = c
	}
	return s
}

// Name is the client's upstream name ("" the default upstream).
func (c *Client) Name() string { return c.settings.Name }

// Upstream is the client's upstream settings (read only).
func (c *Client) Upstream() *settings.Upstream { return c.settings }

// DataSource is the data source the client's upstream belongs to.
func (c *Client) DataSource() settings.DataSource { return c.ds }

// Default is the default upstream's client.
func (s *Set) Default() *Client { return s.all[0] }

// All lists every client, the default first.
func (s *Set) All() []*Client { return s.all }

// Named is the named upstream's client called exactly name, or nil; the
// default upstream has no name here (the proxy's first path segment).
func (s *Set) Named(name string) *Client {
	if name == "" {
		return nil
	}
	return s.byName[name]
}

// Lookup is the client of the upstream a user named ("", "default" or
// "_default": the default one), or a 400 unknown_upstream that lists the
// names there are.
func (s *Set) Lookup(name string) (*Client, *apierr.Error) {
	if c := s.byName[settings.CanonicalUpstream(name)]; c != nil {
		return c, nil
	}
	return nil, apierr.BadRequest("unknown_upstream", "no upstream named %q (jsonData.upstreams: %s)", name, s.names())
}

func (s *Set) names() string {
	const shown = 10
	names := make([]string, 0, min(len(s.all), shown))
	for _, c := range s.all[:min(len(s.all), shown)] {
		names = append(names, settings.ShownUpstream(c.Name()))
	}
	if len(s.all) > shown {
		return strings.Join(names, ", ") + fmt.Sprintf(" and %d more", len(s.all)-shown)
	}
	return strings.Join(names, ", ")
}

// Close closes every client.
func (s *Set) Close() {
	for _, c := range s.all {
		c.Close()
	}
}
