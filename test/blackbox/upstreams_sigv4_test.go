package blackbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// sigv4Verifier checks AWS Signature Version 4 as AWS documents it
// ("Create a canonical request", "Create a string to sign", "Calculate the
// signature"), written here independently of the signer Relay uses, and
// itself checked against AWS's published get-vanilla test vector.
type sigv4Verifier struct {
	accessKey, secretKey, region, service string
}

func sha256Hex(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uriEncode is AWS's UriEncode: every byte but A-Z a-z 0-9 - _ . ~ (and '/'
// in paths) as %XX with upper-case hex.
func uriEncode(s string, path bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' || (path && c == '/') {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// verify returns "" when r carries a valid signature for body.
func (v sigv4Verifier) verify(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, algo) {
		return "no SigV4 Authorization header"
	}
	parts := map[string]string{}
	for _, p := range strings.Split(strings.TrimPrefix(auth, algo), ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = val
	}
	scope := strings.Split(parts["Credential"], "/")
	if len(scope) != 5 || scope[0] != v.accessKey || scope[2] != v.region || scope[3] != v.service || scope[4] != "aws4_request" {
		return "wrong credential scope " + parts["Credential"]
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if len(amzDate) != 16 || amzDate[:8] != scope[1] {
		return "X-Amz-Date does not match the scope date"
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	if !sort.StringsAreSorted(signed) || !contains(signed, "host") || !contains(signed, "x-amz-date") {
		return "signed headers must be sorted and include host and x-amz-date"
	}
	var canonHeaders strings.Builder
	for _, h := range signed {
		val := r.Header.Values(h)
		if h == "host" {
			val = []string{r.Host}
		}
		for i := range val {
			val[i] = strings.Join(strings.Fields(val[i]), " ")
		}
		canonHeaders.WriteString(h + ":" + strings.Join(val, ",") + "\n")
	}
	payload := sha256Hex(body)
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != "" && got != payload {
		return "X-Amz-Content-Sha256 is not the body's hash"
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var cq []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, val := range vals {
			cq = append(cq, uriEncode(k, false)+"="+uriEncode(val, false))
		}
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	unescaped, _ := url.PathUnescape(path)
	canonical := strings.Join([]string{r.Method, uriEncode(unescaped, true), strings.Join(cq, "&"), canonHeaders.String(),
		parts["SignedHeaders"], payload}, "\n")
	stringToSign := strings.Join([]string{"AWS4-HMAC-SHA256", amzDate, strings.Join(scope[1:], "/"), sha256Hex([]byte(canonical))}, "\n")
	key := hmacSHA256([]byte("AWS4"+v.secretKey), scope[1])
	key = hmacSHA256(key, v.region)
	key = hmacSHA256(key, v.service)
	key = hmacSHA256(key, "aws4_request")
	if want := hex.EncodeToString(hmacSHA256(key, stringToSign)); !hmac.Equal([]byte(want), []byte(parts["Signature"])) {
		return "signature mismatch"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSigV4VerifierMatchesAWSTestVector pins the verifier to AWS's
// published SigV4 test suite case get-vanilla, so it cannot agree with a
// wrong signer by sharing its mistake.
func TestSigV4VerifierMatchesAWSTestVector(t *testing.T) {
	r, _ := http.NewRequest("GET", "https://example.amazonaws.com/", nil)
	r.Host = "example.amazonaws.com"
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "+
		"SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
	v := sigv4Verifier{accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service"}
	if why := v.verify(r, nil); why != "" {
		t.Fatalf("the AWS test vector does not verify: %s", why)
	}
	r.Header.Set("X-Amz-Date", "20150830T123601Z")
	if v.verify(r, nil) == "" {
		t.Fatal("a changed date still verifies")
	}
}

const (
	sigv4AccessKey = "AKIDCANARY7F3A"
	sigv4Secret    = "canary-sigv4-secret-0b9d2e"
)

func TestUpstreamSigV4AgainstAVerifyingServer(t *testing.T) {
	v := sigv4Verifier{accessKey: sigv4AccessKey, secretKey: sigv4Secret, region: "eu-west-1", service: "execute-api"}
	aws := newRecorder(t, "aws")
	var failures []string
	aws.handle = func(w http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		if why := v.verify(r, body); why != "" {
			failures = append(failures, r.Method+" "+r.URL.Path+": "+why)
			http.Error(w, `{"message":"The request signature we calculated does not match"}`, http.StatusForbidden)
			return true
		}
		return false
	}
	prov := `apiVersion: 1
datasources:
  - name: SigV4
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData:
      healthPath: /health
      network: { allowPrivateNetworks: true }
      upstreams:
        - name: aws
          url: ` + aws.URL() + `/prod
          auth: { type: sigv4, sigv4: { region: eu-west-1, service: execute-api } }
          healthPath: /ping
          network: { allowPrivateNetworks: true }
          proxy:
            rules:
              - { path: "/items", methods: [GET, POST], minRole: Viewer }
    secureJsonData:
      upstreams.aws.sigV4AccessKey: ` + sigv4AccessKey + `
      upstreams.aws.sigV4SecretKey: ` + sigv4Secret + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov})
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/proxy/aws/items?b=2&a=1&a=0&sp=a%20b", nil},
		{"POST", "/proxy/aws/items", map[string]any{"name": "signed body"}},
	} {
		resp, body := s.Do(c.method, res+c.path, "viewer", c.body, nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
		}
	}
	resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
	if len(failures) > 0 || len(aws.requests()) < 3 {
		t.Errorf("signature failures %v; requests %v", failures, aws.paths())
	}
	if strings.Contains(s.DevHostLog(), sigv4Secret) {
		t.Error("the secret key reached the log")
	}
}
