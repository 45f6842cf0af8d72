package settings

import (
	"net/url"
)

// AuthOAuth2 sends a token fetched from an OAuth2 token endpoint.
const AuthOAuth2 = "oauth2"

func init() {
	registerAuthKind(&authKind{name: AuthOAuth2, order: 40, validate: validateOAuth2,
		secrets: []secretKey{
			{key: "oauth2ClientSecret", field: func(s *Secrets) *string { return &s.OAuth2ClientSecret }},
			{key: "oauth2Password", field: func(s *Secrets) *string { return &s.OAuth2Password }},
			{key: "oauth2RefreshToken", field: func(s *Secrets) *string { return &s.OAuth2RefreshToken }},
		},
		pairs: func(s *Upstream) map[string]string {
			o := s.Auth.OAuth2
			if o == nil || o.ClientID == "" || s.Secrets.OAuth2ClientSecret == "" {
				return nil
			}
			// x/oauth2 sends url-escaped id:secret in Basic auth (RFC 6749 2.3.1).
			return map[string]string{url.QueryEscape(o.ClientID): url.QueryEscape(s.Secrets.OAuth2ClientSecret),
				o.ClientID: s.Secrets.OAuth2ClientSecret}
		}})
}

// OAuth2 is jsonData.auth.oauth2: the token endpoint, the grant
// (oauth2_grants.go) and how the token is sent.
type OAuth2 struct {
	TokenURL       string            `json:"tokenUrl"`
	ClientID       string            `json:"clientId"`
	Scopes         []string          `json:"scopes,omitempty"`
	EndpointParams map[string]string `json:"endpointParams,omitempty"`
	AuthStyle      string            `json:"authStyle,omitempty"` // header (default) | params
	// TokenHeader and TokenFormat say how the fetched token is sent:
	// "Authorization" and "Bearer {{token}}" unless set (e.g. "X-Auth" and "{{token}}").
	TokenHeader string `json:"tokenHeader,omitempty"`
	TokenFormat string `json:"tokenFormat,omitempty"`
	// GrantType is client_credentials (default), password (Username and
	// secret oauth2Password) or refresh_token (secret oauth2RefreshToken;
	// a rotated refresh token is kept in memory and used next).
	GrantType string `json:"grantType,omitempty"`
	Username  string `json:"username,omitempty"`
	// Headers are sent with the token request; Audience and Resource are
	// the audience and resource (RFC 8707) parameters of it.
	Headers  map[string]string `json:"headers,omitempty"`
	Audience string            `json:"audience,omitempty"`
	Resource string            `json:"resource,omitempty"`
}

// OAuth2 grant types.
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
)

func validateOAuth2(s *Upstream, errs *Errors) {
	p := s.Path()
	o := s.Auth.OAuth2
	if o == nil {
		errs.add(p.JSON("auth.oauth2"), "required for oauth2 auth")
		return
	}
	if u, err := url.Parse(o.TokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs.add(p.JSON("auth.oauth2.tokenUrl"), "must be an absolute http(s) URL")
	}
	if o.ClientID == "" {
		errs.add(p.JSON("auth.oauth2.clientId"), "required")
	}
	validateGrant(s, errs)
	if o.AuthStyle != "" && o.AuthStyle != "header" && o.AuthStyle != "params" {
		errs.add(p.JSON("auth.oauth2.authStyle"), "must be header or params")
	}
	validateTokenFormat(p.JSON("auth.oauth2"), o.TokenHeader, o.TokenFormat, errs)
}
