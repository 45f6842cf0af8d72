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

// Values lists every non-empty secret, so logs and responses can be scrubbed
// and tests can check none leaks.
func (s *Settings) SecretValues() []string {
	var out []string
	for _, v := range []string{s.Secrets.BasicAuthPassword, s.Secrets.BearerToken, s.Secrets.APIKeyValue,
		s.Secrets.OAuth2ClientSecret, s.Secrets.TLSClientKey, s.Secrets.SigV4AccessKey, s.Secrets.SigV4SecretKey,
		s.Secrets.SigV4SessionToken, s.Secrets.JWTPrivateKey, s.Secrets.AzureClientSecret, s.Secrets.OutboundProxyPassword,
		s.Secrets.OAuth2Password, s.Secrets.OAuth2RefreshToken} {
		if v != "" {
			out = append(out, v)
		}
	}
	if sa, _ := ParseGoogleServiceAccount(s.Secrets.GoogleServiceAccountJSON); sa != nil {
		out = append(out, sa.PrivateKey)
	}
	for _, v := range s.Secrets.Login {
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
