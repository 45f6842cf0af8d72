// Package upstream is Relay's one outbound HTTP client. The proxy, QueryData,
// /transform sources, named actions and CheckHealth all reach the upstream API
// through it, so authentication, TLS, timeouts and the SSRF guard are decided
// in one place:
//
//   - Requests may target only the configured upstream origin and
//     jsonData.network.allowedHosts (policy.go), checked before sending, in
//     the transport and on every redirect hop (redirect.go).
//   - Every dialed IP is checked at connect time (guard.go), so DNS answers
//     cannot smuggle in loopback, private or metadata addresses.
//   - Credentials are attached only to requests for the upstream origin
//     (auth.go); other hosts get none, and credential headers are stripped.
//   - Errors are *Error values with a Kind for the HTTP status and a message
//     that names the setting to change and never contains a secret.
package upstream

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/proxy"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Options are process-level dependencies, not settings.
type Options struct {
	// Resolver resolves upstream host names; nil uses the system resolver.
	// Tests point it at a fake DNS server to simulate DNS rebinding.
	Resolver *net.Resolver
	// Logger receives refusals and token-fetch problems; nil uses the SDK's
	// default logger. Nothing logged contains a secret value.
	Logger log.Logger
	// Gate decides every request to the upstream origin — first requests,
	// pagination, retries and each redirect hop — with its path relative to
	// the base URL (see gate.go). The plugin sets the policy's CheckUpstream;
	// nil allows every path (unit tests of the client alone).
	Gate Gate
	// SecureSocksProxy is Grafana's secure socks proxy (PDC) configuration
	// for the data source (backend.DataSourceInstanceSettings
	// .ProxyOptionsFromContext); used when the settings enable it.
	SecureSocksProxy *proxy.Options
}

// Client is safe for concurrent use. Build one per data source instance and
// Close it when the instance is disposed.
type Client struct {
	ds       settings.DataSource
	settings *settings.Upstream // this upstream's own settings (its Name "" for the default one)
	path     settings.Path      // where this upstream's fields live: every error names them through it
	// timeoutCause is the cause of every request's own deadline, built once
	// (naming this upstream's setting) rather than for every request.
	timeoutCause *Error
	base         *url.URL
	hosts        *hostPolicy
	ips          *ipPolicy
	dialer       *net.Dialer
	tlsConfig    *tls.Config
	transport    *http.Transport // captured from the SDK builder, for Close
	http         *http.Client
	auth         authenticator
	scrub        *scrubber
	logger       log.Logger
	gate         Gate
	warnings     []string
	outbound     *outbound
	socks        *proxy.Options
	closed       atomic.Bool
	closeOnce    sync.Once
}

// New builds the client of one upstream of the data source ds. Errors are
// settings.Errors naming the setting by the upstream's own Path (e.g.
// "secureJsonData.tlsCACert: not a PEM certificate") and never contain
// secret values.
func New(ds settings.DataSource, s *settings.Upstream, opts Options) (*Client, error) {
	if s == nil || s.URL == nil {
		return nil, settings.Errors{{Field: s.Path().URL(), Message: "the upstream URL is required"}}
	}
	logger := opts.Logger
	if logger == nil {
		logger = log.DefaultLogger
	}
	base := *s.URL
	c := &Client{ds: ds, settings: s, path: s.Path(), base: &base, logger: logger, gate: opts.Gate, scrub: newScrubber(s), socks: opts.SecureSocksProxy}
	c.timeoutCause = c.requestTimeoutError()

	var errs settings.Errors
	collect := func(err error) {
		if es, ok := settings.AsErrors(err); ok {
			errs = append(errs, es...)
		} else if fe, ok := err.(*settings.FieldError); ok { //nolint:errorlint // our own constructors return it unwrapped
			errs = append(errs, fe)
		} else {
			errs = append(errs, &settings.FieldError{Field: s.Path().JSON(""), Message: "invalid upstream client settings"})
		}
	}
	var err error
	if c.hosts, err = newHostPolicy(s.Path(), c.base, s.Network.AllowedHosts); err != nil {
		collect(err)
	}
	if c.ips, err = newIPPolicy(s.Path(), s.Network, logger); err != nil {
		collect(err)
	}
	if c.outbound, err = newOutbound(s); err != nil {
		collect(err)
	}
	if s.OutboundProxy.SecureSocksProxy && (c.socks == nil || !c.socks.Enabled || c.socks.ClientCfg == nil) {
		collect(&settings.FieldError{Field: "jsonData.enableSecureSocksProxy",
			Message: "Grafana's secure socks proxy is enabled for the data source but not configured in Grafana ([secure_socks_datasource_proxy])"})
	}
	var tlsWarnings []string
	if c.tlsConfig, tlsWarnings, err = buildTLSConfig(s); err != nil {
		collect(err)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	c.dialer = newDialer(s, c.ips, opts.Resolver)
	if c.http, err = c.buildHTTPClient(); err != nil {
		return nil, settings.Errors{{Field: s.Path().JSON(""), Message: "cannot build the upstream HTTP client"}}
	}
	if c.auth, err = c.newAuthenticator(); err != nil {
		c.transport.CloseIdleConnections()
		collect(err)
		return nil, errs
	}
	c.warnings = append(tlsWarnings, c.policyWarnings()...)
	return c, nil
}

func (c *Client) policyWarnings() []string {
	var w []string
	if c.settings.Auth.Type != settings.AuthNone && c.base.Scheme == "http" {
		w = append(w, "credentials are sent to the upstream over plain HTTP (url uses http://)")
	}
	for _, env := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if os.Getenv(env) != "" && c.outbound.mode == settings.OutboundNone && !c.settings.OutboundProxy.SecureSocksProxy {
			w = append(w, "proxy environment variables (HTTP_PROXY/HTTPS_PROXY) are ignored: Relay connects to the upstream directly (set jsonData.outboundProxy.mode to env to use them)")
			break
		}
	}
	return w
}

// Do sends req with credentials injected (upstream origin only), the SSRF
// guard applied, redirects re-checked, and a whole-request deadline: the
// response body must be read before settings.Timeouts.Request (or the value
// set with WithRequestTimeout) elapses. A shorter deadline on req's context
// always wins, which is how callers apply per-route timeouts.
//
// Errors are *Error. The returned body must be closed.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	return c.send(withOwnHeader(req))
}

// send is Do for a request whose header map is its own (not the caller's).
func (c *Client) send(req *http.Request) (*http.Response, error) {
	if c.closed.Load() {
		return nil, newError(KindUnknown, "", nil, "upstream client is closed (settings changed)")
	}
	if err := c.checkTarget(req.URL); err != nil {
		return nil, c.scrub.error(err)
	}
	if err := c.admit(req.Context(), req.Method, req.URL); err != nil {
		return nil, err
	}
	ctx, cancel := c.requestContext(req.Context())
	out := req.WithContext(ctx)
	stripRefused(out.Header) // before auth: Relay's own credentials are added below Do
	// The Host header is always the target URL's host: a caller-chosen Host
	// could reach another virtual host behind the same address.
	out.Host = ""
	resp, err := c.http.Do(out)
	if err != nil {
		cancel()
		return nil, c.classify(req.Context(), err)
	}
	resp.Body = &deadlineBody{rc: resp.Body, cancel: cancel, c: c, parent: req.Context()}
	return resp, nil
}

type requestTimeoutKey struct{}

// WithRequestTimeout replaces settings.Timeouts.Request for requests made with
// ctx (it may be longer or shorter, e.g. a proxy rule's timeout). A deadline
// already on ctx still applies; d <= 0 leaves the default.
func WithRequestTimeout(ctx context.Context, d time.Duration) context.Context {
	if d <= 0 {
		return ctx
	}
	return context.WithValue(ctx, requestTimeoutKey{}, d)
}

func (c *Client) requestContext(parent context.Context) (context.Context, context.CancelFunc) {
	d := c.settings.Timeouts.Request.Duration
	if v, ok := parent.Value(requestTimeoutKey{}).(time.Duration); ok {
		d = v
	}
	if d <= 0 {
		return context.WithCancel(parent)
	}
	return context.WithTimeoutCause(parent, d, c.timeoutCause)
}

// requestTimeoutError is the context cause when our own whole-request
// deadline (not the caller's) fired, so classify can name the setting.
func (c *Client) requestTimeoutError() *Error {
	f := c.path.JSON("timeouts.request")
	return newError(KindTimeout, f, context.DeadlineExceeded, "upstream did not complete the request in time (%s)", f)
}

// classify turns any failure into a scrubbed *Error, telling our own
// whole-request deadline apart from the caller's.
func (c *Client) classify(parent context.Context, err error) *Error {
	e := classifyAt(c.path, err)
	if e.Kind == KindTimeout && e.Setting == "" && parent.Err() != nil {
		e = newError(KindTimeout, "", e.err, "upstream request exceeded the caller's deadline (route timeout)")
	} else if e.Kind == KindTimeout && e.Setting == "" {
		e = c.requestTimeoutError()
	}
	return c.scrub.error(e)
}

// deadlineBody releases the request's deadline timer when the body is fully
// read or closed, and classifies read errors (timeout, size limit) so callers
// can use the same *Error for failures mid-body.
type deadlineBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	c      *Client
	parent context.Context
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF: //nolint:errorlint // io.EOF is returned unwrapped by contract
		b.cancel()
	case err != nil:
		return n, b.c.classify(b.parent, err)
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	if b.c.closed.Load() {
		// A request that was in flight during Close returns its connection
		// to the idle pool; drop it so no keep-alive goroutine outlives us.
		b.c.transport.CloseIdleConnections()
	}
	return err
}

// RoundTripper returns a RoundTripper for httputil.ReverseProxy with the same
// policy as Do: credentials, guard, redirects followed when allowed (like Do),
// whole-request deadline. The outgoing request's RequestURI is cleared (the
// standard client refuses it set), and errors are *Error for the proxy's
// ErrorHandler to Classify.
func (c *Client) RoundTripper() http.RoundTripper { return roundTripper{c} }

type roundTripper struct{ c *Client }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	out := withOwnHeader(req)
	out.RequestURI = ""
	// ReverseProxy sets an empty User-Agent to suppress Go's default; drop
	// it so the SDK's user agent middleware names Grafana and the plugin.
	if v, ok := out.Header["User-Agent"]; ok && len(v) == 1 && v[0] == "" {
		delete(out.Header, "User-Agent")
	}
	return rt.c.send(out)
}

// Scrub removes every form of the data source's credentials Relay sends
// (plain, base64 of user:password, URL-encoded, fetched OAuth2 tokens; as
// written or inside JSON, HTML and percent escapes; whole or a prefix) from
// text an upstream answered, before it reaches an error message or a log.
func (c *Client) Scrub(text string) string { return c.scrub.scrub(text) }

// ScrubCut is Scrub, then a cut to at most max bytes ("…" added): every text
// from an upstream that is shortened for a message goes through it, so the
// cut never leaves a secret's prefix behind.
func (c *Client) ScrubCut(text string, max int) string { return c.scrub.scrubCut(text, max) }

// Base returns a copy of the upstream base URL.
func (c *Client) Base() *url.URL {
	u := *c.base
	return &u
}

// Origin is scheme://host[:port] of the upstream, for logs and messages; the
// settings never allow credentials in the URL, and none are shown here.
func (c *Client) Origin() string { return c.base.Scheme + "://" + c.base.Host }

// Warnings lists risky but valid settings, for CheckHealth to show.
func (c *Client) Warnings() []string { return append([]string(nil), c.warnings...) }

// Close releases idle connections and forgets the cached OAuth2 token. New
// requests fail afterwards; requests in flight complete.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		c.auth.close()
		c.transport.CloseIdleConnections()
	})
}
