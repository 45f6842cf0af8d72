package blackbox

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Canaries of the named upstreams; the default upstream (the demo API) has
// the package's canary.
const (
	billingCanary = "canary-billing-7a1c90"
	billingHeader = "canary-billing-header-41d2"
	hrCanary      = "canary-hr-key-93be07"
)

// startTwoUpstreams provisions the demo API as the default upstream and two
// fake upstreams, billing (bearer + a secret header, base path /v2) and hr
// (API key header), each with rules of its own.
func startTwoUpstreams(t *testing.T, billing, hr *recorder) *harness.Stack {
	t.Helper()
	hrHost := strings.TrimPrefix(hr.URL(), "http://")
	prov := `apiVersion: 1
datasources:
  - name: Upstreams
    type: relay-gateway-datasource
    uid: ` + uid + `
    url: $DEMO_URL
    jsonData:
      auth: { type: bearer }
      healthPath: /health
      network: { allowPrivateNetworks: true }
      proxy:
        rules:
          - { path: "/api/items", methods: [GET], minRole: Viewer }
          - { path: "/billing/", methods: [GET], minRole: Viewer }
      upstreams:
        - name: billing
          url: ` + billing.URL() + `/v2
          auth: { type: bearer }
          headers: [{ name: X-Billing-Secret, secret: true }]
          healthPath: /status
          network: { allowPrivateNetworks: true, allowedHosts: ["` + hrHost + `"] }
          proxy:
            rules:
              - { path: "/invoices", methods: [GET], minRole: Viewer }
              - { path: "/bounce", methods: [GET], minRole: Viewer }
              - { path: "/pay", methods: [POST], minRole: Editor }
        - name: hr
          url: ` + hr.URL() + `
          auth: { type: apiKey, apiKeyName: X-HR-Key }
          network: { allowPrivateNetworks: true }
          proxy:
            rules:
              - { path: "/people", methods: [GET], minRole: Viewer }
      actions:
        - { name: pay, method: POST, path: /pay, upstream: billing, minRole: Editor, body: { amount: 1 } }
    secureJsonData:
      bearerToken: ` + canary + `
      upstreams.billing.bearerToken: ` + billingCanary + `
      upstreams.billing.header.X-Billing-Secret: ` + billingHeader + `
      upstreams.hr.apiKeyValue: ` + hrCanary + `
`
	s := harness.Start(t, harness.Options{Provisioning: prov, DemoArgs: []string{"-bearer-token", canary}})
	t.Cleanup(func() {
		log := s.DevHostLog()
		for _, c := range []string{canary, billingCanary, billingHeader, hrCanary} {
			if strings.Contains(log, c) {
				t.Errorf("a secret reached the log")
			}
		}
	})
	return s
}

func TestUpstreamsCredentialsOnlyReachTheirOwnOrigin(t *testing.T) {
	billing, hr := newRecorder(t, "billing"), newRecorder(t, "hr")
	billing.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v2/bounce" { // a redirect to hr's origin, which billing lists in allowedHosts
			http.Redirect(w, r, hr.URL()+"/people", http.StatusFound)
			return true
		}
		return false
	}
	s := startTwoUpstreams(t, billing, hr)

	get := func(path, user string) (int, map[string]any, string) {
		resp, body := s.Do("GET", res+path, user, nil, nil)
		var m map[string]any
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			m = decode(t, body)
		}
		return resp.StatusCode, m, string(body)
	}
	// Each upstream at its own prefix, with its own base path.
	if st, m, body := get("/proxy/billing/invoices", "viewer"); st != 200 || m["upstream"] != "billing" || m["path"] != "/v2/invoices" {
		t.Errorf("billing: %d %s", st, body)
	}
	if st, m, body := get("/proxy/hr/people", "viewer"); st != 200 || m["upstream"] != "hr" {
		t.Errorf("hr: %d %s", st, body)
	}
	if st, _, body := get("/proxy/api/items", "viewer"); st != 200 || !strings.Contains(body, "items") {
		t.Errorf("default: %d %.200s", st, body)
	}
	// A default-upstream path whose first segment is an upstream's name.
	st, _, body := get("/proxy/_default/billing/x", "viewer")
	if st == 403 || strings.Contains(body, `"upstream":"billing"`) {
		t.Errorf("/proxy/_default/billing/x must reach the default upstream's /billing/x: %d %.200s", st, body)
	}
	// Rules are per upstream: billing's rules do not cover hr's path and
	// the default's rules do not open billing.
	for _, p := range []string{"/proxy/billing/people", "/proxy/hr/invoices", "/proxy/billing/api/items"} {
		if st, m, body := get(p, "viewer"); st != 403 || m["code"] != "proxy_path_denied" {
			t.Errorf("%s: want 403 proxy_path_denied, got %d %s", p, st, body)
		}
	}
	// Path ambiguity checks still apply below a named upstream's prefix.
	for _, p := range []string{"/proxy/billing/invoices/..%2f..%2fpeople", "/proxy/billing/%2e%2e/admin"} {
		if st, _, body := get(p, "viewer"); st < 400 || st >= 500 {
			t.Errorf("%s: want a 4xx refusal, got %d %s", p, st, body)
		}
	}
	// A redirect from billing to hr's origin arrives without billing's credentials.
	if st, m, body := get("/proxy/billing/bounce", "viewer"); st != 200 || m["upstream"] != "hr" {
		t.Errorf("bounce: %d %s", st, body)
	}
	// Queries, /transform sources and /schema pick an upstream by name.
	q := func(upstreamName, path string) map[string]any {
		return map[string]any{"refId": "A", "upstream": upstreamName, "path": path, "pipeline": map[string]any{"root": "items"}}
	}
	_, out, qbody := dsQuery(s, "viewer", q("hr", "/people"))
	if out.Results["A"].Error != "" || !strings.Contains(string(qbody), `"hr"`) {
		t.Errorf("query on hr: %s", qbody)
	}
	_, out, qbody = dsQuery(s, "viewer", q("hr", "/invoices"))
	if !strings.Contains(out.Results["A"].Error, "no proxy rule covers /invoices") {
		t.Errorf("query on hr must pass hr's rules: %s", qbody)
	}
	_, out, qbody = dsQuery(s, "viewer", q("ghost", "/people"))
	if !strings.Contains(out.Results["A"].Error, `no upstream named "ghost"`) {
		t.Errorf("unknown upstream: %s", qbody)
	}
	resp, tbody := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"upstream": "billing", "path": "/invoices"},
		"pipeline": map[string]any{"root": "items"}}, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(tbody), "billing") {
		t.Errorf("transform on billing: %d %s", resp.StatusCode, tbody)
	}
	if st, _, body := get("/schema?upstream=hr&path=/people&root=items", "viewer"); st != 200 || !strings.Contains(body, `"from"`) {
		t.Errorf("schema on hr: %d %s", st, body)
	}
	// An action on billing.
	resp, abody := s.Do("POST", res+"/actions/pay", "editor", map[string]any{"params": map[string]any{}}, nil)
	if resp.StatusCode != 200 || !slices.Contains(billing.paths(), "POST /v2/pay") {
		t.Errorf("action on billing: %d %s; billing saw %v", resp.StatusCode, abody, billing.paths())
	}
	// /info lists the upstreams and the rules the caller passes on each.
	_, info, ibody := get("/info", "viewer")
	ups, _ := info["upstreams"].([]any)
	if len(ups) != 3 || !strings.Contains(ibody, `"proxyPath":"/proxy/billing/"`) || !strings.Contains(ibody, `"name":"default"`) {
		t.Errorf("/info upstreams: %s", ibody)
	}
	// Health checks each upstream.
	hresp, hbody := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	if hresp.StatusCode != 200 || !strings.Contains(string(hbody), "All 3 upstreams reachable") {
		t.Errorf("health: %d %s", hresp.StatusCode, hbody)
	}

	// The point: each origin saw its own credentials and no other's.
	if len(billing.requests()) == 0 || len(hr.requests()) == 0 {
		t.Fatal("the fakes saw no request")
	}
	if w := billing.sawAny(canary, hrCanary); w != "" {
		t.Errorf("billing received another upstream's secret: %s", w)
	}
	if w := hr.sawAny(canary, billingCanary, billingHeader); w != "" {
		t.Errorf("hr received another upstream's secret: %s", w)
	}
	for _, r := range billing.requests() {
		if r.Header.Get("Authorization") != "Bearer "+billingCanary || r.Header.Get("X-Billing-Secret") != billingHeader {
			t.Errorf("billing %s %s lacked its own credentials", r.Method, r.Path)
		}
	}
	bounced := 0
	for _, r := range hr.requests() {
		if r.Header.Get("X-HR-Key") == "" {
			bounced++ // the redirect from billing: no credentials at all
		} else if r.Header.Get("X-HR-Key") != hrCanary {
			t.Errorf("hr %s %s: wrong key", r.Method, r.Path)
		}
	}
	if bounced != 1 {
		t.Errorf("want exactly one credential-less request at hr (the redirect), got %d: %v", bounced, hr.paths())
	}
}

func TestUpstreamsHealthNamesTheFailingUpstream(t *testing.T) {
	billing, hr := newRecorder(t, "billing"), newRecorder(t, "hr")
	billing.handle = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v2/status" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	s := startTwoUpstreams(t, billing, hr)
	resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
	b := string(body)
	if resp.StatusCode != 400 || !strings.Contains(b, "1 of 3 upstreams failed") || !strings.Contains(b, "upstream billing") ||
		!strings.Contains(b, "jsonData.upstreams[0].healthPath") || strings.Contains(b, "upstream hr:") {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
}

func TestUpstreamsBadSettingsFailAtLoad(t *testing.T) {
	cases := []struct{ jsonData, want string }{
		{`{"upstreams":[{"name":"a","url":"http://127.0.0.1:9"},{"name":"a","url":"http://127.0.0.1:9"}]}`, "jsonData.upstreams[1].name: duplicate upstream name"},
		{`{"upstreams":[{"name":"A b","url":"http://127.0.0.1:9"}]}`, "jsonData.upstreams[0].name"},
		{`{"actions":[{"name":"x","method":"GET","path":"/","upstream":"ghost"}]}`, "jsonData.actions[0].upstream: no upstream named"},
		{`{"upstreams":[{"name":"aws","url":"https://x.example","auth":{"type":"sigv4","sigv4":{"service":"execute-api"}}}]}`, "jsonData.upstreams[0].auth.sigv4.region"},
	}
	for _, c := range cases {
		s := start(t, c.jsonData)
		resp, body := s.Do("GET", "/api/datasources/uid/"+uid+"/health", "viewer", nil, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: want %q, got %d %s", c.jsonData, c.want, resp.StatusCode, body)
		}
	}
}
