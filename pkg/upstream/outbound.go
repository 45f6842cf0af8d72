package upstream

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Outbound proxies (jsonData.outboundProxy). Where the SSRF defence runs:
//   - Always, before sending: the host policy (upstream origin and
//     network.allowedHosts) on the target URL, and the gate.
//   - Direct connections: the dial guard on every address connected to.
//   - Through an HTTP/SOCKS proxy (env or url): the proxy resolves the
//     target, so Relay resolves it too and checks every address with the
//     same IP policy before sending (a proxy that resolves differently is
//     the proxy's admin's call); the proxy's own address is dialed without
//     the guard, since the admin named it.
//   - Through Grafana's secure socks proxy (PDC): names resolve in the
//     remote network, which is what PDC is for; only the host policy and the
//     gate apply.

// outbound is the proxy decision for one client.
type outbound struct {
	mode    string
	proxy   func(*http.Request) (*url.URL, error)
	proxies map[string]bool // host:port of the configured proxies, dialed unguarded
	shown   string          // the proxy for messages, without credentials
}

func newOutbound(s *settings.Upstream) (*outbound, error) {
	o := s.OutboundProxy
	out := &outbound{mode: o.Mode, proxies: map[string]bool{}}
	switch o.Mode {
	case "", settings.OutboundNone:
		out.mode = settings.OutboundNone
		return out, nil
	case settings.OutboundEnv:
		cfg := httpproxy.FromEnvironment()
		fn := cfg.ProxyFunc()
		out.proxy = func(r *http.Request) (*url.URL, error) { return fn(r.URL) }
		for _, p := range []string{cfg.HTTPProxy, cfg.HTTPSProxy} {
			if u, err := url.Parse(p); err == nil && u.Host != "" {
				out.proxies[hostPort(u)] = true
				out.shown = u.Scheme + "://" + u.Host
			}
		}
		if len(out.proxies) == 0 {
			return nil, &settings.FieldError{Field: s.Path().JSON("outboundProxy.mode"), Message: "env: neither HTTPS_PROXY nor HTTP_PROXY is set in Grafana's environment"}
		}
	case settings.OutboundURL:
		u, err := url.Parse(o.URL)
		if err != nil || u.Host == "" {
			return nil, &settings.FieldError{Field: s.Path().JSON("outboundProxy.url"), Message: "must be an absolute proxy URL"}
		}
		out.shown = u.Scheme + "://" + u.Host
		if o.Username != "" {
			u.User = url.UserPassword(o.Username, s.Secrets.OutboundProxyPassword)
		}
		out.proxies[hostPort(u)] = true
		out.proxy = http.ProxyURL(u)
	}
	return out, nil
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	switch u.Scheme {
	case "https":
		port = "443"
	case "socks5":
		port = "1080"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dialContext dials a configured proxy without the guard and everything
// else through it.
func (o *outbound) dialContext(guarded *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if len(o.proxies) == 0 {
		return guarded.DialContext
	}
	plain := &net.Dialer{Timeout: guarded.Timeout, KeepAlive: guarded.KeepAlive, Resolver: guarded.Resolver}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if o.proxies[addr] {
			return plain.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
}

// checkProxiedTarget resolves a target the proxy will connect to and checks
// every address with the IP policy (see the comment at the top).
func (c *Client) checkProxiedTarget(req *http.Request) *Error {
	o := c.outbound
	if o.proxy == nil {
		return nil
	}
	if p, err := o.proxy(req); err != nil || p == nil {
		return nil // NO_PROXY: dialed directly, through the guard
	}
	host := req.URL.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		return c.ips.check(a.Unmap())
	}
	resolver := c.dialer.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(req.Context(), c.settings.Timeouts.Dial.Duration+time.Second)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return newError(KindUnreachable, "", err, "cannot resolve upstream host %s", host)
	}
	for _, a := range addrs {
		if e := c.ips.check(a.Unmap()); e != nil {
			return e
		}
	}
	return nil
}

// ProxyNote says which proxy a connection failure went through.
func (c *Client) ProxyNote() string {
	switch {
	case c.settings.OutboundProxy.SecureSocksProxy:
		return " (through Grafana's secure socks proxy)"
	case c.outbound != nil && c.outbound.shown != "":
		return " (through the outbound proxy " + strings.TrimSuffix(c.outbound.shown, "/") + ", " + c.path.JSON("outboundProxy") + ")"
	}
	return ""
}
