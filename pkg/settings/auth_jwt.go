package settings

import "encoding/json"

// AuthJWT is the OAuth2 JWT bearer grant (RFC 7523).
const AuthJWT = "jwt"

func init() {
	registerAuthKind(&authKind{name: AuthJWT, order: 80, validate: validateJWT, secrets: []secretKey{
		{key: "jwtPrivateKey", field: func(s *Secrets) *string { return &s.JWTPrivateKey }},
		// Only the key file's private key is sent (signing), so only it is scrubbed.
		{key: "googleServiceAccountJSON", field: func(s *Secrets) *string { return &s.GoogleServiceAccountJSON },
			scrub: func(v string) []string {
				if sa, _ := ParseGoogleServiceAccount(v); sa != nil {
					return []string{sa.PrivateKey}
				}
				return nil
			}},
	}})
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

func validateJWT(s *Upstream, errs *Errors) {
	p := s.Path()
	a, sec := s.Auth, s.Secrets
	j := a.JWT
	if j == nil {
		errs.add(p.JSON("auth.jwt"), "required for jwt auth")
		return
	}
	switch {
	case sec.GoogleServiceAccountJSON != "":
		if _, why := ParseGoogleServiceAccount(sec.GoogleServiceAccountJSON); why != "" {
			errs.add(p.Secret("googleServiceAccountJSON"), "%s", why)
		}
	case sec.JWTPrivateKey == "":
		errs.add(p.Secret("jwtPrivateKey"), "required for jwt auth (or secureJsonData.googleServiceAccountJSON)")
	default:
		if !absoluteHTTP(j.TokenURL) {
			errs.add(p.JSON("auth.jwt.tokenUrl"), "must be an absolute http(s) URL")
		}
		if j.Email == "" {
			errs.add(p.JSON("auth.jwt.email"), "required: the assertion's issuer")
		}
	}
	if j.TokenURL != "" && !absoluteHTTP(j.TokenURL) {
		errs.add(p.JSON("auth.jwt.tokenUrl"), "must be an absolute http(s) URL")
	}
	validateTokenFormat(p.JSON("auth.jwt"), j.TokenHeader, j.TokenFormat, errs)
}
