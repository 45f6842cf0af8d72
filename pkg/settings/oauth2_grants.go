package settings

import (
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// validateGrant checks jsonData.auth.oauth2's grant and token-request
// options. The client secret is required for client_credentials only:
// password and refresh_token grants are often used by public clients.
func validateGrant(s *Upstream, errs *Errors) {
	p := s.Path()
	o, sec := s.Auth.OAuth2, s.Secrets
	f := p.JSON("auth.oauth2")
	switch o.GrantType {
	case "", GrantClientCredentials:
		if sec.OAuth2ClientSecret == "" {
			errs.add(p.Secret("oauth2ClientSecret"), "required for oauth2 auth")
		}
	case GrantPassword:
		if o.Username == "" {
			errs.add(f+".username", "required for the password grant")
		}
		if sec.OAuth2Password == "" {
			errs.add(p.Secret("oauth2Password"), "required for the password grant")
		}
	case GrantRefreshToken:
		if sec.OAuth2RefreshToken == "" {
			errs.add(p.Secret("oauth2RefreshToken"), "required for the refresh_token grant")
		}
	default:
		errs.add(f+".grantType", "must be client_credentials, password or refresh_token, got %q", o.GrantType)
	}
	for name, v := range o.Headers {
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			errs.add(f+".headers", "%q is not a valid header name", name)
		case reservedHeaders[http.CanonicalHeaderKey(name)] || strings.EqualFold(name, "Content-Type") || strings.EqualFold(name, "Authorization"):
			errs.add(f+".headers", "%q is managed by Relay and cannot be configured", name)
		case !httpguts.ValidHeaderFieldValue(v):
			errs.add(f+".headers", "the value of %q is not a valid header value", name)
		}
	}
	if o.Resource != "" && !absoluteHTTP(o.Resource) && !strings.Contains(o.Resource, ":") {
		errs.add(f+".resource", "must be an absolute URI (RFC 8707), e.g. https://api.example.com")
	}
}
