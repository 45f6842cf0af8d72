package blackbox

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const proxyRules = `{"proxy":{"rules":[
	{"path":"/","methods":["GET"]},
	{"path":"/api/echo*","methods":["GET","POST","PUT","DELETE"],"minRole":"Viewer"},
	{"path":"/slow","methods":["GET"],"timeout":"300ms"}]}}`

func TestProxyForwardsSafely(t *testing.T) {
	s := start(t, proxyRules)
	resp, body := s.Do("POST", res+"/proxy/api/echo/items?a=1", "viewer", []byte(`{"x":1}`), map[string]string{
		"Content-Type": "application/json", "Cookie": "grafana_session=s3cret; other=1", "X-Grafana-User": "admin",
		"X-API-Key": "client-key", "X-Custom": "nope"})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	echo := decode(t, body)
	headers, _ := echo["headers"].(map[string]any)
	if headers["Authorization"] == nil {
		t.Fatalf("no credentials injected: %v", echo)
	}
	for _, h := range []string{"Cookie", "X-Grafana-User", "X-Api-Key", "X-Custom"} {
		if headers[h] != nil {
			t.Errorf("%s reached the upstream", h)
		}
	}
	if echo["raw_query"] != "a=1" && echo["query"] != "a=1" {
		t.Errorf("query not passed: %v", echo)
	}
	// Set-Cookie from the upstream never reaches the browser.
	resp, _ = s.Do("GET", res+"/proxy/set-cookie", "viewer", nil, nil)
	if len(resp.Header.Values("Set-Cookie")) > 0 {
		t.Error("Set-Cookie passed through")
	}
}

func TestProxyStatusMappingAndFaults(t *testing.T) {
	s := start(t, proxyRules)
	cases := []struct {
		path   string
		status int
		code   string
	}{
		{"/proxy/status/401", 502, "upstream_unauthorized"},
		{"/proxy/status/404", 404, ""},
		{"/proxy/status/500", 500, ""},
		{"/proxy/slow?delay=2s", 504, ""},
		{"/proxy/reset", 502, ""},
		{"/proxy/redirect?to=http://169.254.169.254/latest/meta-data/", 0, ""},
	}
	for _, c := range cases {
		resp, body := s.Do("GET", res+c.path, "viewer", nil, nil)
		if c.status != 0 && resp.StatusCode != c.status {
			t.Errorf("%s: %d %.200s, want %d", c.path, resp.StatusCode, body, c.status)
		}
		if c.code != "" && decode(t, body)["code"] != c.code {
			t.Errorf("%s: %s", c.path, body)
		}
		if resp.StatusCode == 401 {
			t.Errorf("%s: a 401 would log the Grafana user out", c.path)
		}
	}
	// A redirect to the cloud metadata address is refused, not followed.
	resp, body := s.Do("GET", res+"/proxy/redirect?to="+url.QueryEscape("http://169.254.169.254/latest/meta-data/"), "viewer", nil, nil)
	if resp.StatusCode < 400 || !strings.Contains(string(body), "169.254.169.254") {
		t.Errorf("metadata redirect: %d %s", resp.StatusCode, body)
	}
	// A redirect to another host is refused and names the setting that would allow it.
	resp, body = s.Do("GET", res+"/proxy/redirect?to="+url.QueryEscape("http://example.com/"), "viewer", nil, nil)
	if resp.StatusCode < 400 || !strings.Contains(string(body), "allowedHosts") {
		t.Errorf("cross-host redirect: %d %s", resp.StatusCode, body)
	}
	// A redirect within the upstream is followed.
	if resp, body = s.Do("GET", res+"/proxy/redirect/2", "viewer", nil, nil); resp.StatusCode != 200 {
		t.Errorf("same-origin redirects: %d %s", resp.StatusCode, body)
	}
	assertNoCanary(t, "dev host log", s.DevHostLog())
}

func TestProxyStreamsLargeBodies(t *testing.T) {
	s := start(t, proxyRules)
	const size = 64 << 20
	req := s.Request("GET", res+"/proxy/large?size="+strconv.Itoa(size), "viewer", nil)
	start := time.Now()
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if _, err := r.Peek(1); err != nil {
		t.Fatal(err)
	}
	firstByte := time.Since(start)
	body := &patternCheck{bad: -1}
	n, err := io.Copy(body, r)
	total := time.Since(start)
	if err != nil || n != size {
		t.Fatalf("read %d bytes, err %v", n, err)
	}
	// Every byte as the demo API sent it: the plugin reuses one buffer for
	// every streamed chunk (pkg/resources/response_writer.go), which is only
	// right if each chunk has left before the next is written into it.
	if body.bad >= 0 {
		t.Fatalf("byte %d differs from what the upstream sent", body.bad)
	}
	// Streaming means the first byte arrives well before the whole body; a
	// buffering proxy would deliver both at the same moment.
	if firstByte > total/2 {
		t.Fatalf("first byte after %v of %v: the body was buffered", firstByte, total)
	}
	if resp.Header.Get("Content-Length") != "" && resp.TransferEncoding == nil {
		t.Logf("content-length %s", resp.Header.Get("Content-Length"))
	}
}

// patternCheck checks a /large body: byte i is largePattern[i%64]
// (cmd/demoapi/large.go).
type patternCheck struct {
	n   int64
	bad int64 // offset of the first wrong byte, -1 if none
}

const largePattern = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-\n"

func (c *patternCheck) Write(p []byte) (int, error) {
	for i, b := range p {
		if c.bad < 0 && b != largePattern[(c.n+int64(i))%64] {
			c.bad = c.n + int64(i)
		}
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestProxyResponseCap(t *testing.T) {
	s := start(t, `{"proxy":{"maxResponseBytes":1000000,"rules":[{"path":"/","methods":["GET"]}]}}`)
	req := s.Request("GET", res+"/proxy/large?size=5000000&chunked=1", "viewer", nil)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	t.Logf("status %d, %d bytes, read error %v, tail %q", resp.StatusCode, len(body), err, tailOf(body, 120))
	if len(body) >= 5000000 {
		t.Fatalf("cap ignored: %d bytes", len(body))
	}
	// The status went out before the cap was crossed: the stream must end in
	// an error (Grafana appends its error text), never as a clean, silently
	// truncated 200.
	if err == nil && !strings.Contains(tailOf(body, 300), "Failed to call resource") {
		t.Fatalf("truncated body presented as complete")
	}
}

func tailOf(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// The demo API revokes every token; Relay's next GET is refused with the old
// one, fetches a new token and is retried, so the caller never sees it.
func TestProxyOAuth2TokenRevokedUpstream(t *testing.T) {
	prov := `apiVersion: 1
datasources:
  - name: OAuth
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData:
      auth: { type: oauth2, oauth2: { tokenUrl: "$DEMO_URL/oauth/token", clientId: demo-client } }
      network: { allowPrivateNetworks: true }
    secureJsonData:
      oauth2ClientSecret: ` + canary + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov, DemoArgs: []string{"-client-secret", canary}})
	t.Cleanup(func() { assertNoCanary(t, "the dev host and plugin log", s.DevHostLog()) })
	stats := func() map[string]any {
		resp, err := http.Get(s.DemoURL + "/oauth/stats")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return decode(t, b)
	}
	for i := 0; i < 2; i++ {
		if resp, body := s.Do("GET", res+"/proxy/auth/oauth/data", "viewer", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("call %d: %d %s", i, resp.StatusCode, body)
		}
		if issued := stats()["tokens_issued"]; issued != float64(i+1) {
			t.Fatalf("after call %d: %v tokens issued", i, issued)
		}
		resp, err := http.PostForm(s.DemoURL+"/oauth/revoke", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}
