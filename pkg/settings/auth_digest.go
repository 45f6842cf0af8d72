package settings

// AuthDigest is HTTP Digest with basic auth's user and password.
const AuthDigest = "digest"

func init() {
	registerAuthKind(&authKind{name: AuthDigest, order: 70, validate: validateDigest, secrets: []secretKey{basicPassword}})
}

func validateDigest(s *Settings, errs *Errors) {
	if s.Auth.BasicUser == "" {
		errs.add("jsonData.auth.basicUser", "required for digest auth")
	}
	if s.Secrets.BasicAuthPassword == "" {
		errs.add("secureJsonData.basicAuthPassword", "required for digest auth")
	}
}
