package upstream

import (
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
)

// pluginType labels the SDK's outgoing-request metrics and traces.
const pluginType = "relay-gateway-datasource"

// buildHTTPClient assembles the outbound client on the SDK's httpclient, so
// its user agent, contextual middlewares and response limit
// apply, and then locks the transport down:
//   - DialContext is the guarded dialer (guard.go); nothing else dials.
//   - Proxy is nil: HTTP_PROXY/HTTPS_PROXY (which Grafana passes to plugins)
//     would otherwise send requests to a proxy that connects on our behalf,
//     and the dial guard would only ever see the proxy's address.
//   - ForwardHTTPHeaders stays false: with it, the SDK's header middleware
//     would copy every incoming resource-call header (cookies included) to
//     every outgoing request, whatever the host. Relay forwards only what
//     forwardOAuth needs, and only to the upstream origin (auth.go).
//   - Metrics come from metricsMiddleware (metrics.go), not the SDK's costly one;
//     spans from spanMiddleware (spans.go), not the SDK's, which records the
//     whole URL (a query string may hold an API key).
//   - Client.Timeout stays 0: the whole-request deadline is a context
//     deadline set per request (client.go), so callers can shorten it.
func (c *Client) buildHTTPClient() (*http.Client, error) {
	to := c.settings.Timeouts
	opts := httpclient.Options{
		Timeouts: &httpclient.TimeoutOptions{
			Timeout:               to.ResponseHeader.Duration,
			DialTimeout:           to.Dial.Duration,
			KeepAlive:             30 * time.Second,
			TLSHandshakeTimeout:   to.TLSHandshake.Duration,
			ExpectContinueTimeout: time.Second,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   100,
			IdleConnTimeout:       90 * time.Second,
		},
		Labels: map[string]string{
			"datasource_type": pluginType,
			"datasource_uid":  c.ds.UID,
			"datasource_name": c.ds.Name,
		},
		// BasicAuth and CustomHeaders middlewares are left out: credentials
		// are injected by credentialsMiddleware, which knows the origin.
		Middlewares: []httpclient.Middleware{
			metricsMiddleware(c.ds.UID),
			httpclient.UserAgentMiddleware(),
			httpclient.ContextualMiddleware(),
			httpclient.ErrorSourceMiddleware(),
			httpclient.ResponseLimitMiddleware(c.settings.Proxy.MaxResponseBytes),
			// Innermost, so nothing above can change the URL or add
			// headers after the policy ran.
			httpclient.NamedMiddlewareFunc("relay-upstream-policy", c.policyMiddleware),
			httpclient.NamedMiddlewareFunc("relay-upstream-credentials", c.credentialsMiddleware),
			// Innermost: one span per attempt as sent (spans.go).
			httpclient.NamedMiddlewareFunc("relay-upstream-spans", c.spanMiddleware),
		},
		ConfigureTransport: func(_ httpclient.Options, t *http.Transport) {
			t.Proxy = c.outbound.proxy // nil unless jsonData.outboundProxy says otherwise (outbound.go)
			t.DialContext = c.outbound.dialContext(c.dialer)
			t.TLSClientConfig = c.tlsConfig
			t.ResponseHeaderTimeout = to.ResponseHeader.Duration
			t.ForceAttemptHTTP2 = true // custom DialContext/TLS config would otherwise disable HTTP/2
			c.transport = t
		},
		ConfigureClient: func(_ httpclient.Options, hc *http.Client) {
			hc.Timeout = 0
			hc.CheckRedirect = c.checkRedirect
			hc.Jar = nil
		},
	}
	if c.settings.OutboundProxy.SecureSocksProxy {
		// The SDK replaces DialContext with the secure socks proxy's dialer.
		opts.ProxyOptions = c.socks
	}
	return httpclient.New(opts)
}

// policyMiddleware re-checks the target of every request that reaches the
// transport: Do, RoundTripper, each redirect hop and the token endpoint.
func (c *Client) policyMiddleware(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
	return httpclient.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
		if err := c.hosts.allows(req.URL); err != nil {
			return nil, err
		}
		if err := c.checkProxiedTarget(req); err != nil {
			return nil, err
		}
		return next.RoundTrip(req)
	})
}
