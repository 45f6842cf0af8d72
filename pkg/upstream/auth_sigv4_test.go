package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSigV4AssumeRoleThroughTheClient: STS is called through the upstream
// client's own transport (here on the upstream origin), signed with the base
// keys and without any upstream credential of another kind, and the
// assumed-role credentials sign the API request.
func TestSigV4AssumeRoleThroughTheClient(t *testing.T) {
	var stsCalls atomic.Int32
	expiry := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sts/" || r.URL.Path == "/sts" {
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			if form.Get("Action") != "AssumeRole" || form.Get("RoleArn") != "arn:aws:iam::123456789012:role/grafana" ||
				form.Get("ExternalId") != "ext-1" || !strings.Contains(r.Header.Get("Authorization"), "Credential=AKIDBASE/") {
				http.Error(w, "bad STS request", http.StatusBadRequest)
				return
			}
			stsCalls.Add(1)
			w.Header().Set("Content-Type", "text/xml")
			_, _ = w.Write([]byte(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>assumed-secret-key-1</SecretAccessKey>
<SessionToken>assumed-session-token-123</SessionToken><Expiration>` + expiry + `</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/grafana/grafana-relay</Arn><AssumedRoleId>AROA:grafana-relay</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>`))
			return
		}
		echoHandler(w, r)
	}))
	c := newTestClient(t, cfg{url: srv.URL + "/api", json: map[string]any{"network": allowLoopback, "auth": map[string]any{"type": "sigv4",
		"sigv4": map[string]any{"region": "eu-west-1", "service": "execute-api", "assumeRoleArn": "arn:aws:iam::123456789012:role/grafana",
			"externalId": "ext-1", "stsEndpoint": srv.URL + "/sts"}}},
		secure: map[string]string{"sigV4AccessKey": "AKIDBASE", "sigV4SecretKey": "base-secret-key"}})
	for range 2 {
		s := get(t, c, context.Background(), "/items")
		if !strings.Contains(s.Header.Get("Authorization"), "Credential=ASIAASSUMED/") {
			t.Fatalf("%q does not contain %q", s.Header.Get("Authorization"), "Credential=ASIAASSUMED/")
		}
		if got, want := s.Header.Get("X-Amz-Security-Token"), "assumed-session-token-123"; got != want {
			t.Fatalf("s.Header.Get(\"X-Amz-Security-Token\") = %v, want %v", got, want)
		}
		if len(s.Header.Get("X-Amz-Content-Sha256")) == 0 {
			t.Fatalf("s.Header.Get(\"X-Amz-Content-Sha256\") is empty")
		}
	}
	if got, want := fmt.Sprint(stsCalls.Load()), fmt.Sprint(1); got != want {
		t.Fatalf("%s", "assumed credentials are cached"+": "+fmt.Sprintf("stsCalls.Load() = %v, want %v", got, want))
	}
	if strings.Contains(c.Scrub("x assumed-session-token-123 y"), "assumed-session-token-123") {
		t.Fatalf("%q contains %q", c.Scrub("x assumed-session-token-123 y"), "assumed-session-token-123")
	}
}

func TestSigV4STSHostMustBeAllowed(t *testing.T) {
	_, err := newDefault(parseSettings(t, cfg{url: "https://api.example", json: map[string]any{"auth": map[string]any{"type": "sigv4",
		"sigv4": map[string]any{"region": "eu-west-1", "service": "es", "assumeRoleArn": "arn:aws:iam::1:role/x"}}},
		secure: map[string]string{"sigV4AccessKey": "a", "sigV4SecretKey": "b"}}), Options{})
	if err := err; err == nil || !strings.Contains(err.Error(), "sts.eu-west-1.amazonaws.com for assumeRoleArn must be listed in allowedHosts") {
		t.Fatalf("error %v, want one containing %q", err, "sts.eu-west-1.amazonaws.com for assumeRoleArn must be listed in allowedHosts")
	}
	_, err = newDefault(parseSettings(t, cfg{url: "https://api.example", json: map[string]any{"auth": map[string]any{"type": "sigv4",
		"sigv4": map[string]any{"region": "eu-west-1", "service": "es", "authMode": "default"}}}}), Options{})
	if err := err; err == nil || !strings.Contains(err.Error(), "default credential chain is not allowed by Grafana") {
		t.Fatalf("error %v, want one containing %q", err, "default credential chain is not allowed by Grafana")
	}
}
