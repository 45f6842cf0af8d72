package blackbox

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const proxyCanary = "canary-proxy-pw-2f8e61"

// forwardProxy is a plain HTTP forward proxy that wants Basic proxy
// credentials and counts what it forwarded.
func forwardProxy(t *testing.T, forwarded *atomic.Int32) *httptest.Server {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("relay:"+proxyCanary))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		if r.Header.Get("Proxy-Authorization") != want {
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
			http.Error(w, "proxy auth", http.StatusProxyAuthRequired)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		forwarded.Add(1)
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUpstreamThroughAnOutboundProxy(t *testing.T) {
	var forwarded atomic.Int32
	proxy := forwardProxy(t, &forwarded)
	target := newRecorder(t, "behind-proxy")
	prov := func(targetNetwork string, proxyURL string) string {
		return `apiVersion: 1
datasources:
  - name: Outbound
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: ` + target.URL() + `
    jsonData:
      healthPath: /health
      network: ` + targetNetwork + `
      outboundProxy: { mode: url, url: "` + proxyURL + `", username: relay }
    secureJsonData:
      outboundProxyPassword: ` + proxyCanary + `
`
	}
	s := harness.Start(t, harness.Options{Provisioning: prov("{ allowPrivateNetworks: true }", proxy.URL), SkipDemo: true})
	resp, body := s.Do("GET", res+"/proxy/items", "viewer", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "behind-proxy") || forwarded.Load() != 1 {
		t.Fatalf("through the proxy: %d %s (forwarded %d)", resp.StatusCode, body, forwarded.Load())
	}
	if target.sawAny(proxyCanary, base64.StdEncoding.EncodeToString([]byte("relay:"+proxyCanary))) != "" {
		t.Error("the proxy credentials reached the upstream")
	}
	// The SSRF policy still applies to the target behind the proxy: a
	// loopback upstream without allowPrivateNetworks is refused before the
	// proxy sees anything.
	strict := harness.Start(t, harness.Options{Provisioning: prov("{ allowPrivateNetworks: false }", proxy.URL), SkipDemo: true})
	before := forwarded.Load()
	resp, body = strict.Do("GET", res+"/proxy/items", "viewer", nil, nil)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "upstream_blocked") || forwarded.Load() != before {
		t.Errorf("target SSRF check through a proxy: %d %s", resp.StatusCode, body)
	}
	// An unreachable proxy: health says so.
	down := harness.Start(t, harness.Options{Provisioning: prov("{ allowPrivateNetworks: true }", "http://127.0.0.1:1"), SkipDemo: true})
	resp, body = down.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "through the outbound proxy http://127.0.0.1:1") {
		t.Errorf("unreachable proxy health: %d %s", resp.StatusCode, body)
	}
	for _, st := range []*harness.Stack{s, strict, down} {
		if strings.Contains(st.DevHostLog(), proxyCanary) {
			t.Error("the proxy password reached the log")
		}
	}
}

func TestSecureSocksProxyWithoutGrafanaConfigFailsAtLoad(t *testing.T) {
	prov := `apiVersion: 1
datasources:
  - name: PDC
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: https://api.example.com
    jsonData:
      enableSecureSocksProxy: true
      upstreams: [{ name: a, url: "https://a.example.com" }, { name: b, url: "https://b.example.com" }]
`
	s := harness.Start(t, harness.Options{Provisioning: prov, SkipDemo: true})
	resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	// The switch is the data source's: every upstream's client refuses it
	// the same way, and it is reported once.
	if resp.StatusCode != 400 || strings.Count(string(body), "jsonData.enableSecureSocksProxy") != 1 {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
}
