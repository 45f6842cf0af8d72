package settings

import "golang.org/x/net/http/httpguts"

// AuthAPIKey sends secureJsonData apiKeyValue in a header or a query
// parameter named jsonData.auth.apiKeyName.
const AuthAPIKey = "apiKey"

func init() {
	registerAuthKind(&authKind{name: AuthAPIKey, order: 30, validate: validateAPIKey,
		secrets: []secretKey{{key: "apiKeyValue", field: func(s *Secrets) *string { return &s.APIKeyValue }}},
		defaults: func(a *Auth) {
			a.APIKeyName = orDefault(a.APIKeyName, DefaultAPIKeyName)
			a.APIKeyIn = orDefault(a.APIKeyIn, "header")
		}})
}

func validateAPIKey(s *Upstream, errs *Errors) {
	p := s.Path()
	a := s.Auth
	if a.APIKeyIn != "header" && a.APIKeyIn != "query" {
		errs.add(p.JSON("auth.apiKeyIn"), "must be header or query, got %q", a.APIKeyIn)
	}
	if a.APIKeyIn == "header" && !httpguts.ValidHeaderFieldName(a.APIKeyName) {
		errs.add(p.JSON("auth.apiKeyName"), "%q is not a valid header name", a.APIKeyName)
	}
	if s.Secrets.APIKeyValue == "" {
		errs.add(p.Secret("apiKeyValue"), "required for API key auth")
	}
}
