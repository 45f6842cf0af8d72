package upstream

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// Canary secrets: none of them may appear in an error, a log line or a warning.
var canaries = map[string]string{
	"basicAuthPassword":  "CANARY-basic-5d1e",
	"bearerToken":        "CANARY-bearer-8a2c",
	"apiKeyValue":        "CANARY-apikey-3f9b",
	"oauth2ClientSecret": "CANARY-oauth-7c4d",
	"httpHeaderValue1":   "CANARY-header-1b6f",
}

func TestSecretsNeverLeak(t *testing.T) {
	logger := newCaptureLogger()
	var seen []string // every error string and warning produced
	record := func(err error) {
		if err != nil {
			seen = append(seen, err.Error(), fmt.Sprintf("%v %+v", err, err))
			if e := Classify(err); e != nil && e.err != nil {
				seen = append(seen, e.err.Error())
			}
		}
	}

	// An upstream that echoes its query (with an API key in it) into a
	// redirect, and an IdP that echoes the client secret in its error.
	a := newServer(t, redirector())
	idp := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad secret %s"}`, secret+r.PostForm.Get("client_secret"))
	}))
	slow := slowServer(t, 5*time.Second, 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("%v", err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()

	auths := []map[string]any{
		{"type": "basic", "basicUser": "u"},
		{"type": "bearer"},
		{"type": "apiKey", "apiKeyName": "key", "apiKeyIn": "query"},
		{"type": "apiKey", "apiKeyName": "X-Key"},
		{"type": "oauth2", "oauth2": map[string]any{"tokenUrl": idp.URL + "/token", "clientId": "relay"}},
	}
	for _, auth := range auths {
		for _, target := range []string{a.URL, slow, refused} {
			network := map[string]any{"allowedCIDRs": []string{"127.0.0.1/32"}, "allowedHosts": []string{idp.Listener.Addr().String()}}
			jd := map[string]any{"auth": auth, "httpHeaderName1": "X-Secret", "network": network,
				"timeouts": map[string]any{"request": "100ms"}, "tls": map[string]any{"skipVerify": true}}
			s := parseSettings(t, cfg{url: target, json: jd, secure: canaries})
			c, err := newDefault(s, Options{Logger: logger})
			if err != nil {
				t.Fatalf("%v", err)
			}
			seen = append(seen, c.Warnings()...)

			for _, rel := range []string{"/to?u=http://evil.example.com/&echoQuery=1", "/"} {
				relPath, rawQuery, _ := strings.Cut(rel, "?")
				q, _ := url.ParseQuery(rawQuery)
				req, err := c.NewRequest(context.Background(), http.MethodGet, relPath, q, nil)
				if err != nil {
					t.Fatalf("%v", err)
				}
				resp, err := c.Do(req)
				record(err)
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					record(err)
					resp.Body.Close()
				}
			}
			// Loopback without permission, and a host that is not allowed.
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://evil.example.com/?key="+canaries["apiKeyValue"], nil)
			_, err = c.Do(req)
			record(err)
			c.Close()
		}
		// Without network permissions: loopback refused (or, for oauth2,
		// the token host refused at New).
		c2, err := newDefault(parseSettings(t, cfg{url: a.URL, json: map[string]any{"auth": auth, "httpHeaderName1": "X-Secret"}, secure: canaries}), Options{Logger: logger})
		if err != nil {
			record(err)
			continue
		}
		req, _ := c2.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		_, err = c2.Do(req)
		record(err)
		c2.Close()
	}
	// Settings errors: a TLS key that is not PEM must not be echoed.
	_, err = newDefault(parseSettings(t, cfg{url: "https://api.example.com", secure: map[string]string{
		"tlsClientCert": "x", "tlsClientKey": "CANARY-tlskey-9e0a"}}), Options{Logger: log.NewNullLogger()})
	record(err)

	all := strings.Join(seen, "\n") + "\n" + logger.all()
	if len(seen) == 0 {
		t.Fatalf("seen is empty")
	}
	if !strings.Contains(all, "invalid_client") {
		t.Errorf("%s", "the token failure was exercised"+": "+fmt.Sprintf("%q does not contain %q", all, "invalid_client"))
	}
	if !strings.Contains(all, "jsonData.network.allowedHosts") {
		t.Errorf("%s", "the refused redirect was exercised"+": "+fmt.Sprintf("%q does not contain %q", all, "jsonData.network.allowedHosts"))
	}
	if !strings.Contains(all, "jsonData.timeouts.request") {
		t.Errorf("%s", "the timeout was exercised"+": "+fmt.Sprintf("%q does not contain %q", all, "jsonData.timeouts.request"))
	}
	if !strings.Contains(all, "refused the connection") {
		t.Errorf("%q does not contain %q", all, "refused the connection")
	}
	for name, v := range canaries {
		if strings.Contains(all, v) {
			t.Errorf("%s", name+": "+fmt.Sprintf("%q contains %q", all, v))
		}
	}
	if strings.Contains(all, "CANARY-tlskey-9e0a") {
		t.Errorf("%q contains %q", all, "CANARY-tlskey-9e0a")
	}
	if strings.Contains(all, "CANARY") {
		t.Errorf("%s", "no canary of any kind"+": "+fmt.Sprintf("%q contains %q", all, "CANARY"))
	}
}
