package blackbox

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

const digestCanary = "canary-digest-pw-55e1a3"

// digestServer challenges every request without valid Digest credentials
// (RFC 7616, qop=auth), computing the expected response itself; every
// rotateEvery answers it issues a new nonce and marks the old one stale.
type digestServer struct {
	user, password, realm, algorithm string
	rotateEvery                      int
	mu                               sync.Mutex
	nonce                            int
	served                           int
	lastNC                           map[string]int
}

func (d *digestServer) hash() hash.Hash {
	if d.algorithm == "SHA-256" {
		return sha256.New()
	}
	return md5.New()
}

func (d *digestServer) h(parts ...string) string {
	h := d.hash()
	h.Write([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(h.Sum(nil))
}

func (d *digestServer) challenge(w http.ResponseWriter, stale bool) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm=%q, nonce="n%d", qop="auth", algorithm=%s, opaque="op", stale=%v`,
		d.realm, d.nonce, d.algorithm, stale))
	http.Error(w, "digest required", http.StatusUnauthorized)
}

func parseDigest(h string) map[string]string {
	out := map[string]string{}
	rest, ok := strings.CutPrefix(h, "Digest ")
	if !ok {
		return nil
	}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		out[k] = strings.Trim(v, `"`)
	}
	return out
}

// check answers false after writing a challenge.
func (d *digestServer) check(w http.ResponseWriter, r *http.Request) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := parseDigest(r.Header.Get("Authorization"))
	if p == nil {
		d.challenge(w, false)
		return false
	}
	if p["nonce"] != fmt.Sprintf("n%d", d.nonce) {
		d.challenge(w, true)
		return false
	}
	want := d.h(d.h(d.user, d.realm, d.password), p["nonce"], p["nc"], p["cnonce"], p["qop"], d.h(r.Method, r.URL.RequestURI()))
	var nc int
	_, _ = fmt.Sscanf(p["nc"], "%x", &nc)
	replayed := d.lastNC[p["cnonce"]] != 0 && nc <= d.lastNC[p["cnonce"]]
	if p["username"] != d.user || p["uri"] != r.URL.RequestURI() || p["response"] != want || replayed {
		d.challenge(w, false)
		return false
	}
	d.lastNC[p["cnonce"]] = nc
	d.served++
	if d.rotateEvery > 0 && d.served%d.rotateEvery == 0 {
		d.nonce++
	}
	return true
}

func TestUpstreamDigestAgainstAChallengeServer(t *testing.T) {
	for _, algo := range []string{"MD5", "SHA-256"} {
		t.Run(algo, func(t *testing.T) {
			ds := &digestServer{user: "svc", password: digestCanary, realm: "relay-test", algorithm: algo, rotateEvery: 2, lastNC: map[string]int{}}
			rec := newRecorder(t, "digest")
			rec.handle = func(w http.ResponseWriter, r *http.Request) bool { return !ds.check(w, r) }
			prov := `apiVersion: 1
datasources:
  - name: Digest
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: ` + rec.URL() + `
    jsonData:
      auth: { type: digest, basicUser: svc }
      network: { allowPrivateNetworks: true }
      proxy:
        rules:
          - { path: "/things", methods: [GET, POST], minRole: Viewer }
    secureJsonData:
      basicAuthPassword: ` + digestCanary + `
`
			s := harness.Start(t, harness.Options{Provisioning: prov, SkipDemo: true})
			for i := range 5 {
				resp, body := s.Do("GET", res+fmt.Sprintf("/proxy/things?i=%d", i), "viewer", nil, nil)
				if resp.StatusCode != 200 || !strings.Contains(string(body), `"digest"`) {
					t.Fatalf("GET %d: %d %s", i, resp.StatusCode, body)
				}
			}
			resp, body := s.Do("POST", res+"/proxy/things", "viewer", map[string]any{"a": 1}, nil)
			if resp.StatusCode != 200 {
				t.Errorf("POST: %d %s", resp.StatusCode, body)
			}
			ds.mu.Lock()
			served := ds.served
			ds.mu.Unlock()
			if served != 6 {
				t.Errorf("served %d authenticated requests, want 6", served)
			}
			// After the first challenge most requests are answered up front:
			// at most one challenge per nonce (3 nonces for 6 requests) plus the first.
			if n := len(rec.requests()); n > 6+4 {
				t.Errorf("%d requests for 6 calls: the challenge is not reused", n)
			}
			if strings.Contains(s.DevHostLog(), digestCanary) || rec.sawAny(digestCanary) != "" {
				t.Error("the digest password was sent or logged in clear")
			}
		})
	}
}
