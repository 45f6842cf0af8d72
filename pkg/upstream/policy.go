package upstream

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/relay-gateway/relay/pkg/settings"
)

// hostPolicy is the name half of the SSRF policy: which scheme://host:port a
// request may target at all. The upstream's host:port is always allowed;
// network.allowedHosts adds more. An allowedHosts entry without a port means
// the default port of the request's scheme (80/443), so "auth.example.com"
// does not open every port on that host.
//
// Allowing a host says nothing about the addresses it resolves to: the dial
// guard (guard.go) still checks those.
type hostPolicy struct {
	at       settings.Path // where allowedHosts lives, for refusals
	upstream originKey
	allowed  map[string]bool // "host" or "host:port", normalised
}

// originKey identifies an origin for deciding where credentials may go.
type originKey struct{ scheme, host, port string }

func (o originKey) hostPort() string { return net.JoinHostPort(o.host, o.port) }

func (o originKey) String() string {
	if o.port == defaultPort(o.scheme) {
		return o.scheme + "://" + bracket(o.host)
	}
	return o.scheme + "://" + o.hostPort()
}

func bracket(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

func newHostPolicy(at settings.Path, base *url.URL, hosts []string) (*hostPolicy, error) {
	up, err := keyOf(base)
	if err != nil {
		return nil, &settings.FieldError{Field: at.URL(), Message: err.msg}
	}
	p := &hostPolicy{at: at, upstream: up, allowed: map[string]bool{}}
	var errs settings.Errors
	for i, h := range hosts {
		field := at.JSON(fmt.Sprintf("network.allowedHosts[%d]", i))
		host, port := h, ""
		if hh, pp, splitErr := net.SplitHostPort(h); splitErr == nil {
			host, port = hh, pp
		}
		host = strings.TrimPrefix(strings.TrimSuffix(host, "]"), "[")
		if host == "" {
			errs = append(errs, &settings.FieldError{Field: field, Message: fmt.Sprintf("%q is not a host name (host or host:port)", h)})
			continue
		}
		if e := checkHostSpelling(host); e != nil {
			errs = append(errs, &settings.FieldError{Field: field, Message: e.msg})
			continue
		}
		key := normHost(host)
		if port != "" {
			key = net.JoinHostPort(key, port)
		}
		p.allowed[key] = true
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// keyOf normalises a URL's origin and refuses what must never be dialed
// whatever the allowlist says: non-http schemes and ambiguous IP spellings.
func keyOf(u *url.URL) (originKey, *Error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return originKey{}, newError(KindBlocked, "", nil, "upstream scheme %q is refused (only http and https)", u.Scheme)
	}
	if u.User != nil {
		// The transport would turn userinfo into an Authorization header
		// that no auth setting controls (e.g. from a redirect's Location).
		return originKey{}, newError(KindBlocked, "", nil, "upstream URLs with user credentials are refused")
	}
	host := u.Hostname()
	if host == "" {
		return originKey{}, newError(KindBlocked, "", nil, "upstream URL has no host")
	}
	if e := checkHostSpelling(host); e != nil {
		return originKey{}, e
	}
	port := u.Port()
	if port == "" {
		port = defaultPort(scheme)
	}
	return originKey{scheme: scheme, host: normHost(host), port: port}, nil
}

// normHost lowercases names, drops one trailing dot (the same DNS name) and
// writes IP literals canonically, so equal hosts compare equal.
func normHost(h string) string {
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Is4() {
			return h // ParseAddr takes only the canonical dotted quad
		}
		return a.WithZone("").String()
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// allows reports whether u may be requested; the error names the setting.
func (p *hostPolicy) allows(u *url.URL) *Error {
	k, err := keyOf(u)
	if err != nil {
		return err
	}
	if k.host == p.upstream.host && k.port == p.upstream.port {
		return nil
	}
	if p.allowed[k.hostPort()] || (k.port == defaultPort(k.scheme) && p.allowed[k.host]) {
		return nil
	}
	allowed := p.at.JSON(settingAllowedHosts)
	return newError(KindBlocked, allowed, nil,
		"upstream host %s is not the configured upstream (%s); add %q to %s to allow it",
		k.hostPort(), p.upstream.hostPort(), k.hostPort(), allowed)
}

// isUpstreamOrigin reports whether credentials may be attached to a request
// for u: same scheme, host and port as the configured URL.
func (p *hostPolicy) isUpstreamOrigin(u *url.URL) bool {
	k, err := keyOf(u)
	return err == nil && k == p.upstream
}

// checkHostSpelling refuses hosts that look like an IPv4 address written in a
// non-canonical form: decimal (2852039166), octal (0251.0376.0251.0376), hex
// (0xA9FEA9FE), short (127.1) or with a trailing dot (169.254.169.254.). Go
// treats these as host names, but a libc resolver or a proxy may turn them
// into an IP; whichever reading wins, we refuse rather than guess. The rule
// follows the WHATWG URL standard: a host whose last label is numeric is an
// IPv4 address and must be written as four decimal octets.
func checkHostSpelling(host string) *Error {
	if strings.Contains(host, ":") { // IPv6 literal (url.Hostname strips brackets)
		if _, err := netip.ParseAddr(host); err != nil {
			return newError(KindBlocked, "", nil, "upstream host %q is not a valid IPv6 address", host)
		}
		return nil
	}
	name := strings.TrimSuffix(host, ".")
	if !isNumericLabel(name[strings.LastIndexByte(name, '.')+1:]) { // the last label
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		return nil // canonical dotted quad
	}
	return newError(KindBlocked, "", nil,
		"upstream host %q is a non-standard spelling of an IP address; write it as four decimal numbers (e.g. 192.0.2.10)", host)
}

func isNumericLabel(l string) bool {
	if l == "" {
		return false
	}
	if len(l) >= 2 && (l[:2] == "0x" || l[:2] == "0X") {
		for _, c := range l[2:] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
		return true
	}
	for _, c := range l {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
