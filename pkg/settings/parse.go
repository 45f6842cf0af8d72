package settings

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Parse reads and validates a data source's settings. The error, if any, is an
// Errors value naming every faulty field; it never contains a secret value.
func Parse(ds backend.DataSourceInstanceSettings) (*Settings, error) {
	s := &Settings{UID: ds.UID, Name: ds.Name}
	var errs Errors

	if len(ds.JSONData) > 0 {
		if err := json.Unmarshal(ds.JSONData, s); err != nil {
			errs.add("jsonData", "%s", describeJSONError(err))
			return nil, errs
		}
	}
	var grafana grafanaConventions
	_ = json.Unmarshal(ds.JSONData, &grafana) // same bytes decoded above; cannot fail differently
	secure := ds.DecryptedSecureJSONData

	s.URL = parseUpstreamURL(Path{}, ds.URL, &errs)
	applyGrafanaConventions(s, ds, grafana, secure)
	readSecrets(&s.Upstream, secure, "")
	readAPIKeyHashes(s, secure)
	applyDefaults(s)
	if grafana.Network.MaxRedirects == nil {
		s.Network.MaxRedirects = defaultMaxRedirects
	}
	validate(s, secure, &errs)
	parseUpstreams(s, secure, grafana.Upstreams, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// grafanaConventions are jsonData keys Grafana's own HTTP settings UI writes;
// honouring them lets users keep their usual provisioning files.
type grafanaConventions struct {
	// Network.MaxRedirects tells an explicit 0 (follow no redirect) from absent.
	Network struct {
		MaxRedirects *int `json:"maxRedirects"`
	} `json:"network"`

	OAuthPassThru bool `json:"oauthPassThru"`
	// EnableSecureSocksProxy is Grafana's private data source connect switch.
	EnableSecureSocksProxy bool `json:"enableSecureSocksProxy"`
	TLSSkipVerify          bool `json:"tlsSkipVerify"`
	// Upstreams tells absent named-upstream fields from zero ones.
	Upstreams  []upstreamPresence `json:"upstreams"`
	ServerName string             `json:"serverName"`
}

func parseUpstreamURL(p Path, raw string, errs *Errors) *url.URL {
	if strings.TrimSpace(raw) == "" {
		errs.add(p.URL(), "the upstream URL is required (e.g. https://api.example.com)")
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		errs.add(p.URL(), "not a valid URL")
		return nil
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		errs.add(p.URL(), "scheme must be http or https, got %q", u.Scheme)
	case u.Host == "":
		errs.add(p.URL(), "a host is required")
	case u.User != nil:
		errs.add(p.URL(), "must not contain credentials; configure them under auth instead")
	case u.RawQuery != "" || u.Fragment != "":
		errs.add(p.URL(), "must not contain a query or fragment; use proxy.queryParams for fixed parameters")
	default:
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		return u
	}
	return nil
}

func applyGrafanaConventions(s *Settings, ds backend.DataSourceInstanceSettings, g grafanaConventions, secure map[string]string) {
	if s.Auth.Type == "" {
		switch {
		case ds.BasicAuthEnabled:
			s.Auth.Type = AuthBasic
		case g.OAuthPassThru:
			s.Auth.Type = AuthForwardOAuth
		}
	}
	if s.Auth.BasicUser == "" {
		s.Auth.BasicUser = ds.BasicAuthUser
	}
	if g.EnableSecureSocksProxy {
		s.OutboundProxy.SecureSocksProxy = true
	}
	if g.TLSSkipVerify {
		s.TLS.SkipVerify = true
	}
	if s.TLS.ServerName == "" {
		s.TLS.ServerName = g.ServerName
	}
	// Grafana's custom headers: httpHeaderName<N> in jsonData, value in secureJsonData.
	var raw map[string]json.RawMessage // not map[string]any: jsonData may hold 1,000 upstreams
	_ = json.Unmarshal(ds.JSONData, &raw)
	for i := 1; ; i++ {
		var name string
		if json.Unmarshal(raw[fmt.Sprintf("httpHeaderName%d", i)], &name) != nil {
			break
		}
		s.Headers = append(s.Headers, Header{Name: name, Secret: true})
		if s.Secrets.Headers == nil {
			s.Secrets.Headers = map[string]string{}
		}
		s.Secrets.Headers[name] = secure[fmt.Sprintf("httpHeaderValue%d", i)]
	}
}

// readSecrets reads one upstream's secrets: prefix is "" for the default
// upstream and "upstreams.<name>." for a named one (see SecretField).
func readSecrets(s *Upstream, secure map[string]string, prefix string) {
	headers := s.Secrets.Headers
	get := func(k string) string { return secure[prefix+k] }
	s.Secrets = Secrets{
		TLSCACert:             get("tlsCACert"),
		TLSClientCert:         get("tlsClientCert"),
		TLSClientKey:          get("tlsClientKey"),
		OutboundProxyPassword: get("outboundProxyPassword"),
		Headers:               headers,
	}
	readAuthSecrets(s, get)
	s.TLS.HasCACert = s.Secrets.TLSCACert != ""
	s.TLS.HasClient = s.Secrets.TLSClientCert != "" || s.Secrets.TLSClientKey != ""
}

// readAPIKeyHashes reads the API keys' salted hashes: the keys belong to
// the data source, not to an upstream.
func readAPIKeyHashes(s *Settings, secure map[string]string) {
	for i := range s.APIKeys {
		salt, hash, ok := parseKeyHash(secure[APIKeyHashField(s.APIKeys[i].Name)])
		if ok {
			s.APIKeys[i].Salt, s.APIKeys[i].Hash = salt, hash
		}
	}
}

// APIKeyHashField is the secureJsonData key holding an API key's salted hash.
func APIKeyHashField(name string) string { return "apiKeyHash." + name }

// parseKeyHash reads "sha256:<saltHex>:<hashHex>", hash = SHA-256(salt || key).
func parseKeyHash(v string) (salt, hash []byte, ok bool) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] != "sha256" {
		return nil, nil, false
	}
	salt, err1 := hex.DecodeString(parts[1])
	hash, err2 := hex.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(hash) != 32 {
		return nil, nil, false
	}
	return salt, hash, true
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("field %q: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}
