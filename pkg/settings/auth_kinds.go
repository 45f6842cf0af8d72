package settings

import (
	"encoding/json"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// SigV4 signs every upstream request with AWS Signature Version 4. Keys come
// from secureJsonData (sigV4AccessKey, sigV4SecretKey, optional
// sigV4SessionToken), or from the AWS default chain (environment, shared
// files, instance role) when AuthMode is "default" and Grafana allows it
// ([aws] allowed_auth_providers). AssumeRoleARN, when set, assumes that role
// with the base credentials.
type SigV4 struct {
	AuthMode      string `json:"authMode,omitempty"` // keys (default) | default
	Region        string `json:"region"`
	Service       string `json:"service"`
	AssumeRoleARN string `json:"assumeRoleArn,omitempty"`
	ExternalID    string `json:"externalId,omitempty"`
	// STSEndpoint overrides the STS endpoint for assume-role (private
	// endpoints, tests); it obeys the same host policy as the upstream.
	STSEndpoint string `json:"stsEndpoint,omitempty"`
}

// JWT is the OAuth2 JWT bearer grant (RFC 7523): Relay signs an assertion
// with the private key (secureJsonData jwtPrivateKey, PEM) or a Google
// service-account key file (secureJsonData googleServiceAccountJSON) and
// exchanges it at TokenURL.
type JWT struct {
	TokenURL     string   `json:"tokenUrl,omitempty"`
	Email        string   `json:"email,omitempty"` // the assertion's issuer
	Subject      string   `json:"subject,omitempty"`
	Audience     string   `json:"audience,omitempty"`
	Scopes       []string `json:"scopes,omitempty"`
	PrivateKeyID string   `json:"privateKeyId,omitempty"`
	TokenHeader  string   `json:"tokenHeader,omitempty"`
	TokenFormat  string   `json:"tokenFormat,omitempty"`
}

// Azure is Microsoft Entra ID: client credentials (tenant, client id,
// secureJsonData azureClientSecret) or the host's managed identity.
type Azure struct {
	Mode     string   `json:"mode"` // clientSecret | managedIdentity
	TenantID string   `json:"tenantId,omitempty"`
	ClientID string   `json:"clientId,omitempty"`
	Scopes   []string `json:"scopes"`
	// AuthorityHost is the Entra ID login host (sovereign clouds); default
	// https://login.microsoftonline.com/.
	AuthorityHost string `json:"authorityHost,omitempty"`
}

// Outbound is how an upstream's connections leave the host: directly (none),
// through the proxy named by HTTP(S)_PROXY/NO_PROXY (env), or an explicit
// proxy URL with its own credentials (url; password in secureJsonData
// outboundProxyPassword). SecureSocksProxy uses Grafana's secure socks proxy
// (private data source connect) when Grafana enables it for the data source.
type Outbound struct {
	Mode     string `json:"mode,omitempty"` // none | env | url
	URL      string `json:"url,omitempty"`
	Username string `json:"username,omitempty"`
	// SecureSocksProxy is set from Grafana's jsonData.enableSecureSocksProxy.
	SecureSocksProxy bool `json:"secureSocksProxy,omitempty"`
}

// Outbound proxy modes.
const (
	OutboundNone = "none"
	OutboundEnv  = "env"
	OutboundURL  = "url"
)

// Google service-account key file fields Relay reads.
type GoogleServiceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

// ParseGoogleServiceAccount reads a key file; errors never include its content.
func ParseGoogleServiceAccount(raw string) (*GoogleServiceAccount, string) {
	var sa GoogleServiceAccount
	if err := json.Unmarshal([]byte(raw), &sa); err != nil {
		return nil, "not a JSON service-account key file"
	}
	if sa.Type != "service_account" || sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, "not a service-account key file (want type service_account with client_email and private_key)"
	}
	if sa.TokenURI == "" {
		sa.TokenURI = "https://oauth2.googleapis.com/token"
	}
	return &sa, ""
}

func readAuthSecrets(sec *Secrets, get func(string) string) {
	sec.SigV4AccessKey = get("sigV4AccessKey")
	sec.SigV4SecretKey = get("sigV4SecretKey")
	sec.SigV4SessionToken = get("sigV4SessionToken")
	sec.JWTPrivateKey = get("jwtPrivateKey")
	sec.GoogleServiceAccountJSON = get("googleServiceAccountJSON")
	sec.AzureClientSecret = get("azureClientSecret")
	sec.OutboundProxyPassword = get("outboundProxyPassword")
	sec.OAuth2Password = get("oauth2Password")
	sec.OAuth2RefreshToken = get("oauth2RefreshToken")
}

// validateAuthKind checks the auth kinds of auth_kinds.go; false when the
// type is none of them.
func validateAuthKind(s *Settings, errs *Errors) bool {
	a, sec := s.Auth, s.Secrets
	switch a.Type {
	case AuthSigV4:
		v := a.SigV4
		if v == nil {
			errs.add("jsonData.auth.sigv4", "required for sigv4 auth (region and service)")
			return true
		}
		if v.Region == "" {
			errs.add("jsonData.auth.sigv4.region", "required for sigv4 auth (e.g. eu-west-1)")
		}
		if v.Service == "" {
			errs.add("jsonData.auth.sigv4.service", "required for sigv4 auth (e.g. execute-api, es, aps)")
		}
		switch v.AuthMode {
		case "", "keys":
			if sec.SigV4AccessKey == "" || sec.SigV4SecretKey == "" {
				errs.add("secureJsonData.sigV4SecretKey", "sigV4AccessKey and sigV4SecretKey are required with authMode keys")
			}
		case "default":
		default:
			errs.add("jsonData.auth.sigv4.authMode", "must be keys or default, got %q", v.AuthMode)
		}
		if v.AssumeRoleARN != "" && !strings.HasPrefix(v.AssumeRoleARN, "arn:") {
			errs.add("jsonData.auth.sigv4.assumeRoleArn", "must be a role ARN (arn:aws:iam::<account>:role/<name>)")
		}
		if v.STSEndpoint != "" && !absoluteHTTP(v.STSEndpoint) {
			errs.add("jsonData.auth.sigv4.stsEndpoint", "must be an absolute http(s) URL")
		}
	case AuthDigest:
		if a.BasicUser == "" {
			errs.add("jsonData.auth.basicUser", "required for digest auth")
		}
		if sec.BasicAuthPassword == "" {
			errs.add("secureJsonData.basicAuthPassword", "required for digest auth")
		}
	case AuthJWT:
		j := a.JWT
		if j == nil {
			errs.add("jsonData.auth.jwt", "required for jwt auth")
			return true
		}
		switch {
		case sec.GoogleServiceAccountJSON != "":
			if _, why := ParseGoogleServiceAccount(sec.GoogleServiceAccountJSON); why != "" {
				errs.add("secureJsonData.googleServiceAccountJSON", "%s", why)
			}
		case sec.JWTPrivateKey == "":
			errs.add("secureJsonData.jwtPrivateKey", "required for jwt auth (or secureJsonData.googleServiceAccountJSON)")
		default:
			if !absoluteHTTP(j.TokenURL) {
				errs.add("jsonData.auth.jwt.tokenUrl", "must be an absolute http(s) URL")
			}
			if j.Email == "" {
				errs.add("jsonData.auth.jwt.email", "required: the assertion's issuer")
			}
		}
		if j.TokenURL != "" && !absoluteHTTP(j.TokenURL) {
			errs.add("jsonData.auth.jwt.tokenUrl", "must be an absolute http(s) URL")
		}
		validateTokenFormat("jsonData.auth.jwt", j.TokenHeader, j.TokenFormat, errs)
	case AuthLogin:
		validateLogin(s, errs)
	case AuthAzure:
		z := a.Azure
		if z == nil {
			errs.add("jsonData.auth.azure", "required for azure auth (mode and scopes)")
			return true
		}
		if len(z.Scopes) == 0 {
			errs.add("jsonData.auth.azure.scopes", "at least one scope is required (e.g. api://<app-id>/.default)")
		}
		switch z.Mode {
		case "clientSecret":
			if z.TenantID == "" {
				errs.add("jsonData.auth.azure.tenantId", "required for clientSecret")
			}
			if z.ClientID == "" {
				errs.add("jsonData.auth.azure.clientId", "required for clientSecret")
			}
			if sec.AzureClientSecret == "" {
				errs.add("secureJsonData.azureClientSecret", "required for clientSecret")
			}
		case "managedIdentity":
		default:
			errs.add("jsonData.auth.azure.mode", "must be clientSecret or managedIdentity, got %q", z.Mode)
		}
		if z.AuthorityHost != "" && !absoluteHTTP(z.AuthorityHost) {
			errs.add("jsonData.auth.azure.authorityHost", "must be an absolute http(s) URL")
		}
	default:
		return false
	}
	return true
}

func validateTokenFormat(field, header, format string, errs *Errors) {
	if header != "" && !httpguts.ValidHeaderFieldName(header) {
		errs.add(field+".tokenHeader", "%q is not a valid header name", header)
	}
	if format != "" && !strings.Contains(format, "{{token}}") {
		errs.add(field+".tokenFormat", "must contain {{token}} (e.g. \"Bearer {{token}}\")")
	}
}

func validateOutbound(s *Settings, errs *Errors) {
	o := s.OutboundProxy
	switch o.Mode {
	case "", OutboundNone, OutboundEnv:
		if o.URL != "" {
			errs.add("jsonData.outboundProxy.url", "is used only with mode url")
		}
	case OutboundURL:
		u, err := url.Parse(o.URL)
		switch {
		case err != nil || u.Host == "":
			errs.add("jsonData.outboundProxy.url", "must be an absolute proxy URL (http://, https:// or socks5://)")
		case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5":
			errs.add("jsonData.outboundProxy.url", "scheme must be http, https or socks5, got %q", u.Scheme)
		case u.User != nil:
			errs.add("jsonData.outboundProxy.url", "must not contain credentials; set outboundProxy.username and secureJsonData outboundProxyPassword")
		}
	default:
		errs.add("jsonData.outboundProxy.mode", "must be none, env or url, got %q", o.Mode)
	}
	if o.Mode != "" && o.Mode != OutboundNone && o.SecureSocksProxy {
		errs.add("jsonData.outboundProxy.mode", "cannot be combined with Grafana's secure socks proxy")
	}
}

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
