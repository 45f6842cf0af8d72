package upstream

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/relay-gateway/relay/pkg/settings"
)

func TestIPPolicy(t *testing.T) {
	const always = "always"
	cases := []struct {
		ip   string
		want string // "" allowed, "always", or a phrase of the refusal
	}{
		{"93.184.216.34", ""},
		{"2606:2800:220:1:248:1893:25c8:1946", ""},
		{"169.254.169.254", always},
		{"169.254.0.1", always},
		{"::ffff:169.254.169.254", always},
		{"fe80::1", always},
		{"fe80::1%eth0", always},
		{"fd00:ec2::254", always},
		{"100.100.100.200", always},
		{"64:ff9b::a9fe:a9fe", always}, // NAT64 spelling of 169.254.169.254
		{"0.0.0.0", always},
		{"0.1.2.3", always},
		{"::", always},
		{"224.0.0.1", always},
		{"ff02::1", always},
		{"255.255.255.255", always},
		{"::a9fe:a9fe", always}, // IPv4-compatible IPv6
		{"127.0.0.1", "loopback"},
		{"127.9.9.9", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"64:ff9b::7f00:1", "loopback"},
		{"10.1.2.3", "private network"},
		{"172.16.0.1", "private network"},
		{"172.31.255.255", "private network"},
		{"192.168.1.1", "private network"},
		{"100.64.0.1", "CGNAT"},
		{"fc00::1", "unique local"},
		{"fd12:3456::1", "unique local"},
		{"172.32.0.1", ""},
	}
	p, err := newIPPolicy(settings.Network{}, log.NewNullLogger())
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.ip, func(t *testing.T) {
			e := p.check(netip.MustParseAddr(tc.ip))
			switch tc.want {
			case "":
				assert.Nil(t, e)
			case always:
				require.NotNil(t, e)
				assert.Equal(t, KindBlocked, e.Kind)
				assert.Contains(t, e.Error(), "always refused")
				assert.Empty(t, e.Setting)
			default:
				require.NotNil(t, e)
				assert.Contains(t, e.Error(), tc.want)
				assert.Contains(t, e.Error(), "set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs")
				assert.Equal(t, settingAllowPrivate, e.Setting)
			}
		})
	}

	t.Run("allowPrivateNetworks opens private ranges, never metadata", func(t *testing.T) {
		p, err := newIPPolicy(settings.Network{AllowPrivateNetworks: true}, log.NewNullLogger())
		require.NoError(t, err)
		for _, ip := range []string{"127.0.0.1", "::1", "10.0.0.1", "192.168.0.1", "100.64.1.1", "fd00::1"} {
			assert.Nil(t, p.check(netip.MustParseAddr(ip)), ip)
		}
		for _, ip := range []string{"169.254.169.254", "100.100.100.200", "fd00:ec2::254", "0.0.0.0"} {
			assert.NotNil(t, p.check(netip.MustParseAddr(ip)), ip)
		}
	})
	t.Run("allowedCIDRs open only their range", func(t *testing.T) {
		p, err := newIPPolicy(settings.Network{AllowedCIDRs: []string{"10.1.0.0/16", "::ffff:127.0.0.1/128", "0.0.0.0/0"}}, log.NewNullLogger())
		require.NoError(t, err)
		assert.Nil(t, p.check(netip.MustParseAddr("10.1.2.3")))
		assert.Nil(t, p.check(netip.MustParseAddr("127.0.0.1")), "mapped CIDR is unmapped")
		assert.Nil(t, p.check(netip.MustParseAddr("::ffff:10.1.2.3")))
		assert.Nil(t, p.check(netip.MustParseAddr("192.168.0.1")), "0.0.0.0/0 allows every private IPv4")
		assert.NotNil(t, p.check(netip.MustParseAddr("169.254.169.254")), "but never metadata")
		assert.NotNil(t, p.check(netip.MustParseAddr("::1")), "IPv4 CIDRs do not open IPv6 loopback")
	})
}

func TestLoopbackRefusedWithoutSetting(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL})
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	require.NoError(t, err)
	e := doErr(t, c, req)
	assert.Equal(t, KindBlocked, e.Kind)
	assert.Equal(t, "upstream address 127.0.0.1 is a loopback address; set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs", e.Error())
	assert.Equal(t, settingAllowPrivate, e.Setting)

	t.Run("by name, refused at dial time", func(t *testing.T) {
		u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
		logger := newCaptureLogger()
		c := newTestClient(t, cfg{url: u}, Options{Logger: logger})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		require.NoError(t, err)
		e := doErr(t, c, req)
		assert.Equal(t, KindBlocked, e.Kind)
		assert.Contains(t, e.Error(), "is a loopback address; set jsonData.network.allowPrivateNetworks")
		assert.Contains(t, logger.all(), "Refused upstream connection")
	})
	t.Run("allowPrivateNetworks", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": map[string]any{"allowPrivateNetworks": true}}})
		assert.Equal(t, "GET", get(t, c, context.Background(), "/").Method)
	})
	t.Run("allowedCIDRs", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
		assert.Equal(t, "GET", get(t, c, context.Background(), "/").Method)
	})
}

func TestMetadataAddressNeverDialed(t *testing.T) {
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "http://[fd00:ec2::254]/", "http://100.100.100.200/"} {
		t.Run(u, func(t *testing.T) {
			// Even allowPrivateNetworks plus a catch-all CIDR cannot open it.
			c := newTestClient(t, cfg{url: u, json: map[string]any{"network": map[string]any{"allowPrivateNetworks": true, "allowedCIDRs": []string{"0.0.0.0/0", "::/0"}}}})
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
			require.NoError(t, err)
			e := doErr(t, c, req)
			assert.Equal(t, KindBlocked, e.Kind)
			assert.Contains(t, e.Error(), "always refused")
			// The dial guard refuses it too (the request-time check is only
			// the first line): dial directly.
			host := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(u, "/", 4)[2], "["), "]")
			_, derr := c.dialer.DialContext(context.Background(), "tcp", net.JoinHostPort(host, "80"))
			require.Error(t, derr)
			assert.Contains(t, derr.Error(), "always refused")
		})
	}
}

func TestIPSpellings(t *testing.T) {
	spellings := []string{"2852039166", "0251.0376.0251.0376", "0xA9FEA9FE", "0xa9.0xfe.0xa9.0xfe", "169.254.169.254.", "127.1", "0x7f000001", "017700000001", "127.0.0.1."}
	for _, h := range spellings {
		t.Run("url "+h, func(t *testing.T) {
			s := parseSettings(t, cfg{url: "http://" + h + "/"})
			_, err := New(s, Options{Logger: log.NewNullLogger()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "url: ")
			assert.Contains(t, err.Error(), "non-standard spelling of an IP address")
		})
		t.Run("allowedHosts "+h, func(t *testing.T) {
			s := parseSettings(t, cfg{url: "http://api.example.com", json: map[string]any{"network": map[string]any{"allowedHosts": []string{"ok.example.com", h}}}})
			_, err := New(s, Options{Logger: log.NewNullLogger()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "jsonData.network.allowedHosts[1]")
		})
		t.Run("request "+h, func(t *testing.T) {
			c := newTestClient(t, cfg{url: "http://169.254.169.254.example.com"})
			e := doErr(t, c, mustReq(t, http.MethodGet, "http://"+h+"/"))
			assert.Equal(t, KindBlocked, e.Kind)
			assert.Contains(t, e.Error(), "non-standard spelling")
		})
	}
	t.Run("other hosts refused at request time", func(t *testing.T) {
		c := newTestClient(t, cfg{url: "http://api.example.com"})
		for _, u := range []string{"http://evil.example.com/", "http://api.example.com:8080/", "http://169.254.169.254/", "ftp://api.example.com/", "http://[::1]/"} {
			e := doErr(t, c, mustReq(t, http.MethodGet, u))
			assert.Equal(t, KindBlocked, e.Kind, u)
		}
		e := doErr(t, c, mustReq(t, http.MethodGet, "http://evil.example.com/"))
		assert.Contains(t, e.Error(), `add "evil.example.com:80" to jsonData.network.allowedHosts`)
		assert.Equal(t, settingAllowedHosts, e.Setting)
	})
	t.Run("canonical forms are accepted", func(t *testing.T) {
		for _, h := range []string{"http://192.0.2.10", "http://[2001:db8::1]:8080", "http://API.Example.com.", "http://1.example.com"} {
			s := parseSettings(t, cfg{url: h})
			c, err := New(s, Options{Logger: log.NewNullLogger()})
			require.NoError(t, err, h)
			c.Close()
		}
	})
}

// fakeDNS answers every A query with the address returned by answer(n),
// where n counts queries, and every AAAA query with no records.
type fakeDNS struct {
	conn    net.PacketConn
	mu      sync.Mutex
	queries int
	answer  func(n int) netip.Addr
	done    chan struct{}
}

func startFakeDNS(t *testing.T, answer func(n int) netip.Addr) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	d := &fakeDNS{conn: pc, answer: answer, done: make(chan struct{})}
	go d.serve()
	t.Cleanup(func() { pc.Close(); <-d.done })
	return d
}

func (d *fakeDNS) serve() {
	defer close(d.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		hdr, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: hdr.ID, Response: true, Authoritative: true, RCode: dnsmessage.RCodeSuccess})
		b.EnableCompression()
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		if q.Type == dnsmessage.TypeA {
			d.mu.Lock()
			d.queries++
			a := d.answer(d.queries)
			d.mu.Unlock()
			_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0}, dnsmessage.AResource{A: a.As4()})
		}
		msg, err := b.Finish()
		if err == nil {
			_, _ = d.conn.WriteTo(msg, from)
		}
	}
}

// resolver sends every DNS query to the fake server.
func (d *fakeDNS) resolver() *net.Resolver {
	addr := d.conn.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", addr)
	}}
}

func TestDNSRebindingRefusedAtDialTime(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	for _, tc := range []struct {
		rebindTo netip.Addr
		want     string
	}{
		{netip.MustParseAddr("169.254.169.254"), "upstream address 169.254.169.254 is a link-local or cloud metadata address and is always refused"},
		{netip.MustParseAddr("127.0.0.2"), "upstream address 127.0.0.2 is a loopback address; set jsonData.network.allowPrivateNetworks"},
	} {
		t.Run(tc.rebindTo.String(), func(t *testing.T) {
			// First answer: the allowed address (127.0.0.1 stands in for a
			// public one, via allowedCIDRs). Then the name "rebinds".
			dns := startFakeDNS(t, func(n int) netip.Addr {
				if n == 1 {
					return netip.MustParseAddr("127.0.0.1")
				}
				return tc.rebindTo
			})
			c := newTestClient(t, cfg{url: "http://rebind.test:" + port, json: map[string]any{"network": allowLoopback}}, Options{Resolver: dns.resolver(), Logger: log.NewNullLogger()})
			assert.Equal(t, "rebind.test:"+port, get(t, c, context.Background(), "/").Host)

			c.transport.CloseIdleConnections() // force a new dial and a new lookup
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
			require.NoError(t, err)
			e := doErr(t, c, req)
			assert.Equal(t, KindBlocked, e.Kind)
			assert.Contains(t, e.Error(), tc.want)
		})
	}
}
