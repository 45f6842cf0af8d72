package settings

// AuthDigest is HTTP Digest with basic auth's user and password.
const AuthDigest = "digest"

func init() {
	registerAuthKind(&authKind{name: AuthDigest, order: 70, validate: validateDigest, secrets: []secretKey{basicPassword}})
}

func validateDigest(s *Upstream, errs *Errors) {
	p := s.Path()
	if s.Auth.BasicUser == "" {
		errs.add(p.JSON("auth.basicUser"), "required for digest auth")
	}
	if s.Secrets.BasicAuthPassword == "" {
		errs.add(p.Secret("basicAuthPassword"), "required for digest auth")
	}
}
