// Package shared is Relay's fleet-wide state on Redis: when Grafana runs in
// HA (several replicas, each starting its own plugin process), the rate
// limits, API key lockouts, action idempotency keys, the audit log and the
// second tier of the caches live here so that every replica sees the same.
//
// It is optional: configured once per Grafana with redis_url in the
// [plugin.relay-gateway-datasource] section of grafana.ini, which Grafana
// passes to the plugin as GF_PLUGIN_REDIS_URL. One Client per plugin
// process serves every data source instance; each instance works in its own
// Scope (keys prefixed by org id and data source uid).
//
// Every call has its own short timeout, far below any request's, and a
// failing server is not asked again for a short backoff, so a slow or gone
// Redis costs a request at most one timeout. What each feature does then is
// decided where the feature lives (authz, actions, cache) and documented in
// docs/ha.md.
package shared

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL is the variable Grafana sets from redis_url in the plugin's section.
const EnvURL = "GF_PLUGIN_REDIS_URL"

// CallTimeout bounds every Redis call (connecting included): loopback or LAN
// Redis answers in well under a millisecond, and the shortest request
// timeout Relay allows is a second.
const CallTimeout = 200 * time.Millisecond

// Backoff after a failure: calls fail fast until then, then one call probes.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// ErrUnavailable is returned while Redis cannot be reached.
var ErrUnavailable = errors.New("shared state (Redis) is unavailable")

// Client is the process's one connection pool to Redis.
type Client struct {
	rdb  *redis.Client
	addr string // host:port/db, never the password
	// password is only ever used to scrub messages.
	password string
	// instance tells this process's claims (cache leads) from others'.
	instance string
	// timeout is CallTimeout; only tests choose another (export_test.go).
	timeout time.Duration

	retryAt atomic.Int64 // unix nanos; 0 = healthy
	backoff atomic.Int64
	lastErr atomic.Value // string: why the last call failed
}

// FromEnv opens the client configured by GF_PLUGIN_REDIS_URL, or returns nil
// (and no error) when it is not set: the in-process state is the default.
func FromEnv(getenv func(string) string) (*Client, error) {
	raw := getenv(EnvURL)
	if raw == "" {
		return nil, nil
	}
	return Open(raw)
}

// Open parses a redis:// or rediss:// URL and builds the client; it does not
// connect (the first call does, and every call reconnects as needed).
// Errors never repeat the URL: it may carry the password.
func Open(raw string) (*Client, error) {
	return openWith(raw, CallTimeout)
}

// openWith is Open with timeout bounding each call instead of CallTimeout.
func openWith(raw string, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, fmt.Errorf("%s must be redis://[:password@]host:port/db or rediss://...", EnvURL)
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not a usable Redis URL (%s): %s", EnvURL, addrOf(u), scrub(err.Error(), u))
	}
	opts.DialTimeout = timeout
	opts.ReadTimeout = timeout
	opts.WriteTimeout = timeout
	opts.PoolTimeout = timeout
	opts.ContextTimeoutEnabled = true
	// No retries inside go-redis: a retried XADD or claim may apply twice,
	// and the caller has no time for them anyway.
	opts.MaxRetries = -1
	opts.DisableIdentity = true
	opts.ClientName = "relay"
	c := &Client{rdb: redis.NewClient(opts), addr: addrOf(u), password: opts.Password, instance: randomToken(), timeout: timeout}
	c.lastErr.Store("")
	return c, nil
}

// addrOf is what Relay shows of the URL: scheme, host, port and db.
func addrOf(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// scrub removes the URL's password from a message.
func scrub(msg string, u *url.URL) string {
	if p, ok := u.User.Password(); ok && p != "" {
		msg = replaceAll(msg, p, "xxxxx")
	}
	return msg
}

func (c *Client) scrub(msg string) string {
	if c.password == "" {
		return msg
	}
	return replaceAll(msg, c.password, "xxxxx")
}

// Addr is the server's address without credentials, for health and logs.
func (c *Client) Addr() string { return c.addr }

// Close closes the pool.
func (c *Client) Close() error { return c.rdb.Close() }

// do runs one Redis call under CallTimeout (c.timeout), failing fast during a backoff.
// A reply from the server (a miss, a script error, OOM) is not a failure of
// the connection; anything else (refused, timeout, reset) starts a backoff.
func (c *Client) do(ctx context.Context, fn func(context.Context) error) error {
	if !c.mayCall() {
		return ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	err := fn(ctx)
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		c.retryAt.Store(0)
		c.backoff.Store(0)
		return err
	case isReply(err):
		c.retryAt.Store(0)
		return err
	}
	c.fail(err)
	return fmt.Errorf("%w: %s", ErrUnavailable, c.scrub(err.Error()))
}

// mayCall is false during a backoff, except for the one call that probes
// when it ends.
func (c *Client) mayCall() bool {
	at := c.retryAt.Load()
	if at == 0 {
		return true
	}
	now := time.Now().UnixNano()
	if now < at {
		return false
	}
	// One probe: whoever moves retryAt forward calls; the others wait.
	return c.retryAt.CompareAndSwap(at, now+int64(c.nextBackoff(false)))
}

func (c *Client) fail(err error) {
	c.lastErr.Store(c.scrub(err.Error()))
	c.retryAt.Store(time.Now().Add(c.nextBackoff(true)).UnixNano())
}

func (c *Client) nextBackoff(grow bool) time.Duration {
	b := time.Duration(c.backoff.Load())
	if b == 0 {
		b = minBackoff
	} else if grow {
		b = min(2*b, maxBackoff)
	}
	c.backoff.Store(int64(b))
	return b
}

// isReply tells a server's reply (redis.Error) from a transport failure.
func isReply(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

// Status pings the server (bypassing the backoff) for CheckHealth: whether
// it answers, and a message naming the server without credentials.
func (c *Client) Status(ctx context.Context) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		c.fail(err)
		return false, fmt.Sprintf("Redis at %s is unavailable (%s)", c.addr, c.scrub(err.Error()))
	}
	c.retryAt.Store(0)
	c.backoff.Store(0)
	return true, fmt.Sprintf("Redis at %s ok", c.addr)
}
