package settings

// Secrets holds decrypted secureJsonData values Relay uses. It deliberately has
// no JSON tags and a String method that prints nothing, so a stray log or
// marshal of the settings cannot leak a value.
type Secrets struct {
	BasicAuthPassword  string
	BearerToken        string
	APIKeyValue        string
	OAuth2ClientSecret string
	// OAuth2Password and OAuth2RefreshToken are the password and
	// refresh_token grants' secrets.
	OAuth2Password     string
	OAuth2RefreshToken string
	TLSCACert          string
	TLSClientCert      string
	TLSClientKey       string
	// Headers maps a secret header's name to its value.
	Headers map[string]string

	SigV4AccessKey           string
	SigV4SecretKey           string
	SigV4SessionToken        string
	JWTPrivateKey            string
	GoogleServiceAccountJSON string
	AzureClientSecret        string
	OutboundProxyPassword    string
	// Login maps a key a login body names ({{secure.<key>}}) to the value
	// of secureJsonData login.<key>.
	Login map[string]string
}

func (Secrets) String() string { return "[secrets redacted]" }

// GoString keeps %#v from printing values too.
func (Secrets) GoString() string { return "settings.Secrets{[redacted]}" }

// SecretValues lists every non-empty secret, so logs and responses can be
// scrubbed and tests can check none leaks: every auth kind's
// (auth_kinds.go), the TLS client key, the outbound proxy's password and
// the secret headers.
func (s *Upstream) SecretValues() []string {
	out := authSecretValues(s)
	for _, v := range []string{s.Secrets.TLSClientKey, s.Secrets.OutboundProxyPassword} {
		if v != "" {
			out = append(out, v)
		}
	}
	for _, v := range s.Secrets.Headers {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// CredentialPairs are the user → password pairs Relay sends as Basic
// credentials (to the upstream, the token endpoint, the outbound proxy),
// so the scrubber can cover their base64 form too.
func (s *Upstream) CredentialPairs() map[string]string {
	pairs := map[string]string{}
	for _, k := range authKinds {
		if k.pairs != nil {
			for u, p := range k.pairs(s) {
				pairs[u] = p
			}
		}
	}
	if o := s.OutboundProxy; o.Username != "" && s.Secrets.OutboundProxyPassword != "" {
		pairs[o.Username] = s.Secrets.OutboundProxyPassword // Proxy-Authorization: Basic
	}
	return pairs
}
