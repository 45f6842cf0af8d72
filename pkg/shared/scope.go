package shared

import "strconv"

// Scope is one data source's view of the shared state: every key it writes
// starts with relay:<orgId>:<uid>:, so data sources (and orgs) never share a
// bucket, an idempotency key, an audit stream or a cache entry.
type Scope struct {
	c      *Client
	prefix string
}

// Scope returns the view of the data source uid in org.
func (c *Client) Scope(orgID int64, uid string) *Scope {
	return &Scope{c: c, prefix: "relay:" + strconv.FormatInt(orgID, 10) + ":" + uid + ":"}
}

// Client is the client the scope uses.
func (s *Scope) Client() *Client { return s.c }

func (s *Scope) key(kind, k string) string { return s.prefix + kind + ":" + k }
