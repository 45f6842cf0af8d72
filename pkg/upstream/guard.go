package upstream

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/settings"
)

// The dial guard checks every IP address the transport is about to connect to,
// after DNS resolution, in net.Dialer.Control. Checking there (and not when a
// request is built) is what defeats DNS rebinding: the address checked is the
// address connected to. Control runs after the socket is created and before
// connect(2), so a refused address never sees a packet.

// The network settings a refusal names, relative to the upstream's Path.
const (
	settingAllowPrivate = "network.allowPrivateNetworks"
	settingAllowedCIDRs = "network.allowedCIDRs"
	settingAllowedHosts = "network.allowedHosts"
)

type ipRange struct {
	prefix netip.Prefix
	what   string
}

func mustRanges(what string, cidrs ...string) []ipRange {
	out := make([]ipRange, len(cidrs))
	for i, c := range cidrs {
		out[i] = ipRange{netip.MustParsePrefix(c), what}
	}
	return out
}

// alwaysRefused can never be allowed by any setting: cloud metadata services
// and addresses that are never a legitimate API server.
var alwaysRefused = concat(
	mustRanges("a link-local or cloud metadata address", "169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32"),
	mustRanges("an unspecified (\"this network\") address", "0.0.0.0/8", "::/128"),
	mustRanges("a multicast address", "224.0.0.0/4", "ff00::/8"),
	mustRanges("a broadcast or reserved address", "240.0.0.0/4"),
	// IPv4-compatible IPv6 (deprecated). :: matched above; check() exempts ::1.
	mustRanges("a deprecated IPv4-compatible IPv6 address", "::/96"),
)

// privateRanges are allowed only with allowPrivateNetworks or an allowedCIDRs
// entry: reaching them from Grafana's network is the classic SSRF.
var privateRanges = concat(
	mustRanges("a loopback address", "127.0.0.0/8", "::1/128"),
	mustRanges("a private network address", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
	mustRanges("a shared (CGNAT) address", "100.64.0.0/10"),
	mustRanges("a unique local (private) IPv6 address", "fc00::/7", "fec0::/10"),
)

// nat64 prefixes embed an IPv4 address that a local NAT64 gateway connects
// to, so 64:ff9b::a9fe:a9fe is 169.254.169.254 in disguise.
var nat64 = []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("64:ff9b:1::/48")}

func concat(rs ...[]ipRange) []ipRange {
	var out []ipRange
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

// ipPolicy is the address half of the SSRF policy (hostPolicy is the name half).
type ipPolicy struct {
	at           settings.Path // where the network settings live, for refusals
	allowPrivate bool
	allowedCIDRs []netip.Prefix
	logger       log.Logger
}

func newIPPolicy(at settings.Path, n settings.Network, logger log.Logger) (*ipPolicy, error) {
	p := &ipPolicy{at: at, allowPrivate: n.AllowPrivateNetworks, logger: logger}
	for i, c := range n.AllowedCIDRs {
		pfx, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, &settings.FieldError{Field: at.JSON(fmt.Sprintf("network.allowedCIDRs[%d]", i)), Message: fmt.Sprintf("%q is not a CIDR (e.g. 10.0.0.0/8)", c)}
		}
		p.allowedCIDRs = append(p.allowedCIDRs, unmapPrefix(pfx.Masked()))
	}
	return p, nil
}

// unmapPrefix turns ::ffff:10.0.0.0/104 into 10.0.0.0/8 so it matches the
// unmapped addresses check() compares.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p
}

// check returns nil when addr may be connected to, else a KindBlocked error
// naming the setting that would allow it (none for always-refused ranges).
func (p *ipPolicy) check(addr netip.Addr) *Error {
	addr = addr.Unmap().WithZone("")
	shown := addr
	for _, pfx := range nat64 {
		if pfx.Contains(addr) {
			b := addr.As16()
			addr = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		}
	}
	for _, r := range alwaysRefused {
		if r.prefix.Contains(addr) && addr != netip.IPv6Loopback() { // ::1 sits inside ::/96
			return newError(KindBlocked, "", nil, "upstream address %s is %s and is always refused", shown, r.what)
		}
	}
	for _, r := range privateRanges {
		if !r.prefix.Contains(addr) {
			continue
		}
		if p.allowPrivate {
			return nil
		}
		for _, allowed := range p.allowedCIDRs {
			if allowed.Contains(addr) {
				return nil
			}
		}
		allow := p.at.JSON(settingAllowPrivate)
		return newError(KindBlocked, allow, nil,
			"upstream address %s is %s; set %s or add it to %s", shown, r.what, allow, p.at.JSON(settingAllowedCIDRs))
	}
	return nil
}

// control is net.Dialer.Control. address is always a resolved "ip:port".
func (p *ipPolicy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Never happens for tcp dials; refuse rather than guess.
		return newError(KindBlocked, "", nil, "upstream address %q is not an IP address and is refused", address)
	}
	if e := p.check(ap.Addr()); e != nil {
		p.logger.Warn("Refused upstream connection", "network", network, "address", address, "reason", e.msg)
		return e
	}
	return nil
}

// newDialer is the only dialer the transport uses: resolution (optionally via
// a test resolver) followed by the guard on every candidate address.
func newDialer(s *settings.Upstream, p *ipPolicy, resolver *net.Resolver) *net.Dialer {
	return &net.Dialer{
		Timeout:   s.Timeouts.Dial.Duration,
		KeepAlive: 30 * time.Second,
		Resolver:  resolver,
		Control:   p.control,
	}
}
