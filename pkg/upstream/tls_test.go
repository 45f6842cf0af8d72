package upstream

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

func certPEM(srv *httptest.Server) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
}

// selfSignedClient returns a self-signed client certificate and key (PEM)
// that can also serve as its own CA on the server side.
func selfSignedClient(t *testing.T, cn string) (certPEMs, keyPEM string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("%v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("%v", err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("%v", err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})), cert
}

func newTLSServer(t *testing.T, clientCA *x509.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(echoHandler))
	if clientCA != nil {
		pool := x509.NewCertPool()
		pool.AddCert(clientCA)
		srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestTLS(t *testing.T) {
	srv := newTLSServer(t, nil)
	net := map[string]any{"network": allowLoopback}

	t.Run("custom CA", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: net, secure: map[string]string{"tlsCACert": certPEM(srv)}})
		if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want)
		}
		if len(c.Warnings()) != 0 {
			t.Errorf("c.Warnings() is not empty: %v", c.Warnings())
		}
	})
	t.Run("unknown CA", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: net})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindTLS; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "certificate") {
			t.Errorf("%q does not contain %q", e.Error(), "certificate")
		}
	})
	t.Run("skipVerify warns", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "tls": map[string]any{"skipVerify": true}}})
		if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want)
		}
		if !slices.Contains(c.Warnings(), "TLS certificate verification is disabled (tls.skipVerify)") {
			t.Errorf("warnings %q lack the skipVerify one", c.Warnings())
		}
	})
	t.Run("serverName", func(t *testing.T) {
		// httptest's certificate is for example.com (and 127.0.0.1).
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "tls": map[string]any{"serverName": "example.com"}},
			secure: map[string]string{"tlsCACert": certPEM(srv)}})
		if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
			t.Errorf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want)
		}

		c = newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback, "tls": map[string]any{"serverName": "wrong.test"}},
			secure: map[string]string{"tlsCACert": certPEM(srv)}})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindTLS; !reflect.DeepEqual(got, want) {
			t.Errorf("e.Kind = %v, want %v", got, want)
		}
		if !strings.Contains(e.Error(), "wrong.test") {
			t.Errorf("%q does not contain %q", e.Error(), "wrong.test")
		}
	})
}

func TestMutualTLS(t *testing.T) {
	clientCert, clientKey, caCert := selfSignedClient(t, "relay")
	srv := newTLSServer(t, caCert)
	secure := map[string]string{"tlsCACert": certPEM(srv), "tlsClientCert": clientCert, "tlsClientKey": clientKey}
	c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}, secure: secure})
	if got, want := get(t, c, context.Background(), "/").Method, "GET"; got != want {
		t.Errorf("get(t, c, context.Background(), \"/\").Method = %v, want %v", got, want)
	}

	t.Run("without a client certificate", func(t *testing.T) {
		c := newTestClient(t, cfg{url: srv.URL, json: map[string]any{"network": allowLoopback}, secure: map[string]string{"tlsCACert": certPEM(srv)}})
		req, err := c.NewRequest(context.Background(), http.MethodGet, "/", nil, nil)
		if err != nil {
			t.Fatalf("%v", err)
		}
		e := doErr(t, c, req)
		if got, want := e.Kind, KindTLS; !reflect.DeepEqual(got, want) {
			t.Errorf("%s", e.Error()+": "+fmt.Sprintf("e.Kind = %v, want %v", got, want))
		}
	})
}

func TestTLSSettingErrors(t *testing.T) {
	clientCert, clientKey, _ := selfSignedClient(t, "a")
	otherCert, _, _ := selfSignedClient(t, "b")
	cases := []struct {
		name   string
		secure map[string]string
		want   string
	}{
		{"bad CA", map[string]string{"tlsCACert": "not a cert"}, "secureJsonData.tlsCACert: not a PEM certificate"},
		{"key as CA", map[string]string{"tlsCACert": clientKey}, "secureJsonData.tlsCACert: not a PEM certificate"},
		{"cert without key", map[string]string{"tlsClientCert": clientCert}, "secureJsonData.tlsClientKey: required with tlsClientCert"},
		{"key without cert", map[string]string{"tlsClientKey": clientKey}, "secureJsonData.tlsClientCert: required with tlsClientKey"},
		{"cert not PEM", map[string]string{"tlsClientCert": "garbage", "tlsClientKey": clientKey}, "secureJsonData.tlsClientCert: not a PEM certificate"},
		{"key not PEM", map[string]string{"tlsClientCert": clientCert, "tlsClientKey": "garbage-key-value"}, "secureJsonData.tlsClientKey: not a PEM private key"},
		{"mismatch", map[string]string{"tlsClientCert": otherCert, "tlsClientKey": clientKey}, "secureJsonData.tlsClientKey: does not match tlsClientCert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newDefault(parseSettings(t, cfg{url: "https://api.example.com", secure: tc.secure}), Options{Logger: log.NewNullLogger()})
			if err == nil {
				t.Fatalf("err is nil, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q does not contain %q", err.Error(), tc.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("%q contains %q", err.Error(), "PRIVATE KEY")
			}
			if strings.Contains(err.Error(), "garbage-key-value") {
				t.Errorf("%q contains %q", err.Error(), "garbage-key-value")
			}
		})
	}
}
