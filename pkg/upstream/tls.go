package upstream

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"strings"

	"github.com/relay-gateway/relay/pkg/settings"
)

// buildTLSConfig validates the TLS secrets and names the faulty setting. We
// build the config ourselves rather than through httpclient.TLSOptions because
// the SDK's errors do not say which setting is wrong.
//
// The config applies to every connection this client makes (upstream, OAuth2
// token endpoint, allowedHosts), as Grafana's own data source client does: a
// custom CA replaces the system roots, and serverName overrides SNI and
// verification for every host.
func buildTLSConfig(s *settings.Upstream) (*tls.Config, []string, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         s.TLS.ServerName,
		InsecureSkipVerify: s.TLS.SkipVerify, //nolint:gosec // explicit user setting, surfaced as a warning
	}
	var warnings []string
	if s.TLS.SkipVerify {
		warnings = append(warnings, "TLS certificate verification is disabled (tls.skipVerify)")
	}
	var errs settings.Errors
	fail := func(field, msg string) { errs = append(errs, &settings.FieldError{Field: field, Message: msg}) }

	if ca := s.Secrets.TLSCACert; ca != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(ca)) {
			fail(s.Path().Secret("tlsCACert"), "not a PEM certificate")
		}
		cfg.RootCAs = pool
	}

	cert, key := s.Secrets.TLSClientCert, s.Secrets.TLSClientKey
	switch {
	case cert == "" && key == "":
	case cert == "":
		fail(s.Path().Secret("tlsClientCert"), "required with tlsClientKey")
	case key == "":
		fail(s.Path().Secret("tlsClientKey"), "required with tlsClientCert")
	case !hasPEMBlock(cert, func(t string) bool { return t == "CERTIFICATE" }):
		fail(s.Path().Secret("tlsClientCert"), "not a PEM certificate")
	case !hasPEMBlock(key, func(t string) bool { return strings.HasSuffix(t, "PRIVATE KEY") }):
		fail(s.Path().Secret("tlsClientKey"), "not a PEM private key")
	default:
		// X509KeyPair's errors never quote key material, but we still use
		// our own message so nothing about the key can leak.
		pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
		if err != nil {
			fail(s.Path().Secret("tlsClientKey"), "does not match tlsClientCert or is not a supported key type")
		} else {
			cfg.Certificates = []tls.Certificate{pair}
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return cfg, warnings, nil
}

func hasPEMBlock(data string, typeOK func(string) bool) bool {
	rest := []byte(data)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return false
		}
		if typeOK(b.Type) {
			return true
		}
	}
}
