package upstream

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
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
	p, err := newIPPolicy(settings.Path{}, settings.Network{}, log.NewNullLogger())
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, tc := range cases {
		t.Run(tc.ip, func(t *testing.T) {
			e := p.check(netip.MustParseAddr(tc.ip))
			switch tc.want {
			case "":
				if e != nil {
					t.Errorf("e is not nil: %v", e)
				}
			case always:
				if e == nil {
					t.Fatalf("e is nil")
				}
				if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
					t.Errorf("e.Kind = %v, want %v", got, want)
				}
				if !strings.Contains(e.Error(), "always refused") {
					t.Errorf("%q does not contain %q", e.Error(), "always refused")
				}
				if len(e.Setting) != 0 {
					t.Errorf("e.Setting is not empty: %v", e.Setting)
				}
			default:
				if e == nil {
					t.Fatalf("e is nil")
				}
				if !strings.Contains(e.Error(), tc.want) {
					t.Errorf("%q does not contain %q", e.Error(), tc.want)
				}
				if !strings.Contains(e.Error(), "set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs") {
					t.Errorf("%q does not contain %q", e.Error(), "set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs")
				}
				if got, want := e.Setting, "jsonData.network.allowPrivateNetworks"; !reflect.DeepEqual(got, want) {
					t.Errorf("e.Setting = %v, want %v", got, want)
				}
			}
		})
	}

	t.Run("allowPrivateNetworks opens private ranges, never metadata", func(t *testing.T) {
		p, err := newIPPolicy(settings.Path{}, settings.Network{AllowPrivateNetworks: true}, log.NewNullLogger())
		if err != nil {
			t.Fatalf("%v", err)
		}
		for _, ip := range []string{"127.0.0.1", "::1", "10.0.0.1", "192.168.0.1", "100.64.1.1", "fd00::1"} {
			if p.check(netip.MustParseAddr(ip)) != nil {
				t.Errorf("%s", ip+": "+fmt.Sprintf("p.check(netip.MustParseAddr(ip)) is not nil: %v", p.check(netip.MustParseAddr(ip))))
			}
		}
		for _, ip := range []string{"169.254.169.254", "100.100.100.200", "fd00:ec2::254", "0.0.0.0"} {
			if p.check(netip.MustParseAddr(ip)) == nil {
				t.Errorf("%s", ip+": "+fmt.Sprintf("p.check(netip.MustParseAddr(ip)) is nil"))
			}
		}
	})
	t.Run("allowedCIDRs open only their range", func(t *testing.T) {
		p, err := newIPPolicy(settings.Path{}, settings.Network{AllowedCIDRs: []string{"10.1.0.0/16", "::ffff:127.0.0.1/128", "0.0.0.0/0"}}, log.NewNullLogger())
		if err != nil {
			t.Fatalf("%v", err)
		}
		if p.check(netip.MustParseAddr("10.1.2.3")) != nil {
			t.Errorf("p.check(netip.MustParseAddr(\"10.1.2.3\")) is not nil: %v", p.check(netip.MustParseAddr("10.1.2.3")))
		}
		if p.check(netip.MustParseAddr("127.0.0.1")) != nil {
			t.Errorf("%s", "mapped CIDR is unmapped"+": "+fmt.Sprintf("p.check(netip.MustParseAddr(\"127.0.0.1\")) is not nil: %v", p.check(netip.MustParseAddr("127.0.0.1"))))
		}
		if p.check(netip.MustParseAddr("::ffff:10.1.2.3")) != nil {
			t.Errorf("p.check(netip.MustParseAddr(\"::ffff:10.1.2.3\")) is not nil: %v", p.check(netip.MustParseAddr("::ffff:10.1.2.3")))
		}
		if p.check(netip.MustParseAddr("192.168.0.1")) != nil {
			t.Errorf("%s", "0.0.0.0/0 allows every private IPv4"+": "+fmt.Sprintf("p.check(netip.MustParseAddr(\"192.168.0.1\")) is not nil: %v", p.check(netip.MustParseAddr("192.168.0.1"))))
		}
		if p.check(netip.MustParseAddr("169.254.169.254")) == nil {
			t.Errorf("%s", "but never metadata"+": "+fmt.Sprintf("p.check(netip.MustParseAddr(\"169.254.169.254\")) is nil"))
		}
		if p.check(netip.MustParseAddr("::1")) == nil {
			t.Errorf("%s", "IPv4 CIDRs do not open IPv6 loopback"+": "+fmt.Sprintf("p.check(netip.MustParseAddr(\"::1\")) is nil"))
		}
	})
}

func TestLoopbackRefusedWithoutSetting(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(echoHandler))
	c := newTestClient(t, cfg{url: srv.URL})
	req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	e := doErr(t, c, req)
	if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
		t.Errorf("e.Kind = %v, want %v", got, want)
	}
	if got, want := e.Error(), "upstream address 127.0.0.1 is a loopback address; set jsonData.network.allowPrivateNetworks or add it to jsonData.network.allowedCIDRs"; got != want {
		t.Errorf("e.Error() = %v, want %v", got, want)
	}
	if got, want := e.Setting, "jsonData.network.allowPrivateNetworks"; !reflect.DeepEqual(got, want) {
		t.Errorf("e.Setting = %v, want %v", got, want)
	}

	t.Run("by name, refused at dial time", func(t *testing.T) {
		u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
		logger := newCaptureLogger()
		c := newTestClient(t, cfg{url: u}, Options{Logger: logger})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "is a loopback address; set jsonData.network.allowPrivateNetworks") {
			t.Errorf("%q does not contain %q", e.Error(), "is a loopback address; set jsonData.network.allowPrivateNetworks")
		}
		if !strings.Contains(logger.all(), "Refused upstream connection") {
			t.Errorf("%q does not contain %q", logger.all(), "Refused upstream connection")
		}
	})
	t.Run("allowPrivateNetworks", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": map[string]any{"allowPrivateNetworks": true}}})
		if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want)
		}
	})
	t.Run("allowedCIDRs", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}})
		if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want)
		}
	})
}

func TestMetadataAddressNeverDialed(t *testing.T) {
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "http://[fd00:ec2::254]/", "http://100.100.100.200/"} {
		t.Run(u, func(t *testing.T) {
			// Even allowPrivateNetworks plus a catch-all CIDR cannot open it.
			c := newTestClient(t, cfg{url: u, json: map[string]any{"network": map[string]any{"allowPrivateNetworks": true, "allowedCIDRs": []string{"0.0.0.0/0", "::/0"}}}})
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
			if err != nil {
				t.Fatalf("%v", err)
			}
			e := doErr(t, c, req)
			if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
				t.Errorf("e.Kind = %v, want %v", got, want)
			}
			if !strings.Contains(e.Error(), "always refused") {
				t.Errorf("%q does not contain %q", e.Error(), "always refused")
			}
			// The dial guard refuses it too (the request-time check is only
			// the first line): dial directly.
			host := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(u, "/", 4)[2], "["), "]")
			_, derr := c.dialer.DialContext(context.Background(), "tcp", net.JoinHostPort(host, "80"))
			if derr == nil {
				t.Fatalf("derr is nil, want an error")
			}
			if !strings.Contains(derr.Error(), "always refused") {
				t.Errorf("%q does not contain %q", derr.Error(), "always refused")
			}
		})
	}
}

func TestIPSpellings(t *testing.T) {
	spellings := []string{"2852039166", "0251.0376.0251.0376", "0xA9FEA9FE", "0xa9.0xfe.0xa9.0xfe", "169.254.169.254.", "127.1", "0x7f000001", "017700000001", "127.0.0.1."}
	for _, h := range spellings {
		t.Run("url "+h, func(t *testing.T) {
			s := parseSettings(t, cfg{url: "http://" + h + "/"})
			_, err := newDefault(s, Options{Logger: log.NewNullLogger()})
			if err == nil {
				t.Fatalf("err is nil, want an error")
			}
			if !strings.Contains(err.Error(), "url: ") {
				t.Errorf("%q does not contain %q", err.Error(), "url: ")
			}
			if !strings.Contains(err.Error(), "non-standard spelling of an IP address") {
				t.Errorf("%q does not contain %q", err.Error(), "non-standard spelling of an IP address")
			}
		})
		t.Run("allowedHosts "+h, func(t *testing.T) {
			s := parseSettings(t, cfg{url: "http://api.example.com", json: map[string]any{"network": map[string]any{"allowedHosts": []string{"ok.example.com", h}}}})
			_, err := newDefault(s, Options{Logger: log.NewNullLogger()})
			if err == nil {
				t.Fatalf("err is nil, want an error")
			}
			if !strings.Contains(err.Error(), "jsonData.network.allowedHosts[1]") {
				t.Errorf("%q does not contain %q", err.Error(), "jsonData.network.allowedHosts[1]")
			}
		})
		t.Run("request "+h, func(t *testing.T) {
			c := newTestClient(t, cfg{url: "http://169.254.169.254.example.com"})
			e := doErr(t, c, mustReq(t, http.MethodGet, "http://"+h+"/"))
			if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
				t.Errorf("e.Kind = %v, want %v", got, want)
			}
			if !strings.Contains(e.Error(), "non-standard spelling") {
				t.Errorf("%q does not contain %q", e.Error(), "non-standard spelling")
			}
		})
	}
	t.Run("other hosts refused at request time", func(t *testing.T) {
		c := newTestClient(t, cfg{url: "http://api.example.com"})
		for _, u := range []string{"http://evil.example.com/", "http://api.example.com:8080/", "http://169.254.169.254/", "ftp://api.example.com/", "http://[::1]/"} {
			e := doErr(t, c, mustReq(t, http.MethodGet, u))
			if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
				t.Errorf("%s", u+": "+fmt.Sprintf("e.Kind = %v, want %v", got, want))
			}
		}
		e := doErr(t, c, mustReq(t, http.MethodGet, "http://evil.example.com/"))
		if !strings.Contains(e.Error(), `add "evil.example.com:80" to jsonData.network.allowedHosts`) {
			t.Errorf("%q does not contain %q", e.Error(), `add "evil.example.com:80" to jsonData.network.allowedHosts`)
		}
		if got, want := e.Setting, "jsonData.network.allowedHosts"; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Setting = %v, want %v", got, want)
		}
	})
	t.Run("canonical forms are accepted", func(t *testing.T) {
		for _, h := range []string{"http://192.0.2.10", "http://[2001:db8::1]:8080", "http://API.Example.com.", "http://1.example.com"} {
			s := parseSettings(t, cfg{url: h})
			c, err := newDefault(s, Options{Logger: log.NewNullLogger()})
			if err != nil {
				t.Fatalf("%s", h+": "+fmt.Sprintf("%v", err))
			}
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
	if err != nil {
		t.Fatalf("%v", err)
	}
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
			if got, want := get(t, c, context.Background(), "/").Host, "rebind.test:"+port; !reflect.DeepEqual(got, want) {
				t.Errorf("get(t, c, context.Background(), \"/\").Host = %v, want %v", got, want)
			}

			c.transport.CloseIdleConnections() // force a new dial and a new lookup
			req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
			if err != nil {
				t.Fatalf("%v", err)
			}
			e := doErr(t, c, req)
			if got, want := e.Kind, KindBlocked; !reflect.DeepEqual(got, want) {
				t.Errorf("e.Kind = %v, want %v", got, want)
			}
			if !strings.Contains(e.Error(), tc.want) {
				t.Errorf("%q does not contain %q", e.Error(), tc.want)
			}
		})
	}
}
