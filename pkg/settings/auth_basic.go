package settings

// AuthBasic sends jsonData.auth.basicUser and secureJsonData
// basicAuthPassword as HTTP Basic credentials.
const AuthBasic = "basic"

func init() {
	registerAuthKind(&authKind{name: AuthBasic, order: 10, validate: validateBasic,
		secrets: []secretKey{basicPassword},
		pairs: func(s *Upstream) map[string]string {
			if s.Auth.BasicUser == "" || s.Secrets.BasicAuthPassword == "" {
				return nil
			}
			return map[string]string{s.Auth.BasicUser: s.Secrets.BasicAuthPassword}
		}})
}

// basicPassword is shared with digest auth.
var basicPassword = secretKey{key: "basicAuthPassword", field: func(s *Secrets) *string { return &s.BasicAuthPassword }}

func validateBasic(s *Upstream, errs *Errors) {
	p := s.Path()
	if s.Auth.BasicUser == "" {
		errs.add(p.JSON("auth.basicUser"), "required for basic auth")
	}
	if s.Secrets.BasicAuthPassword == "" {
		errs.add(p.Secret("basicAuthPassword"), "required for basic auth")
	}
}
