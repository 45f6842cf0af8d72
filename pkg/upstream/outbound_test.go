package upstream

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestOutboundProxyModes(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://corp-proxy.example:3128")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("NO_PROXY", "internal.example")
	cases := []struct {
		name     string
		outbound map[string]any
		secure   map[string]string
		target   string
		proxy    string // "" direct
		unguard  string
	}{
		{"none", nil, nil, "https://api.example/x", "", ""},
		{"env", map[string]any{"mode": "env"}, nil, "https://api.example/x", "http://corp-proxy.example:3128", "corp-proxy.example:3128"},
		{"env NO_PROXY", map[string]any{"mode": "env"}, nil, "https://internal.example/x", "", "corp-proxy.example:3128"},
		{"url with credentials", map[string]any{"mode": "url", "url": "socks5://socks.example", "username": "u"},
			map[string]string{"outboundProxyPassword": "pw-secret"}, "https://api.example/x", "socks5://u:pw-secret@socks.example", "socks.example:1080"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jd := map[string]any{}
			if c.outbound != nil {
				jd["outboundProxy"] = c.outbound
			}
			o, err := newOutbound(&parseSettings(t, cfg{url: "https://api.example", json: jd, secure: c.secure}).Upstream)
			if err != nil {
				t.Fatalf("%v", err)
			}
			got := ""
			if o.proxy != nil {
				req, _ := http.NewRequest("GET", c.target, nil)
				u, err := o.proxy(req)
				if err != nil {
					t.Fatalf("%v", err)
				}
				if u != nil {
					got = u.String()
				}
			}
			if got, want := got, c.proxy; !reflect.DeepEqual(got, want) {
				t.Fatalf("got = %v, want %v", got, want)
			}
			if c.unguard != "" {
				if !(o.proxies[c.unguard]) {
					t.Fatalf("%s", "the proxy's own address is dialed without the guard"+": "+fmt.Sprintf("o.proxies[c.unguard] is false"))
				}
			}
			if strings.Contains(o.shown, "pw-secret") {
				t.Fatalf("%q contains %q", o.shown, "pw-secret")
			}
		})
	}
	t.Setenv("HTTPS_PROXY", "")
	_, err := newOutbound(&parseSettings(t, cfg{url: "https://api.example", json: map[string]any{"outboundProxy": map[string]any{"mode": "env"}}}).Upstream)
	if err := err; err == nil || !strings.Contains(err.Error(), "neither HTTPS_PROXY nor HTTP_PROXY is set") {
		t.Fatalf("error %v, want one containing %q", err, "neither HTTPS_PROXY nor HTTP_PROXY is set")
	}
}
