package settings

// AuthBearer sends secureJsonData bearerToken as "Authorization: Bearer".
const AuthBearer = "bearer"

func init() {
	registerAuthKind(&authKind{name: AuthBearer, order: 20, validate: validateBearer, secrets: []secretKey{
		{key: "bearerToken", field: func(s *Secrets) *string { return &s.BearerToken }},
	}})
}

func validateBearer(s *Upstream, errs *Errors) {
	p := s.Path()
	if s.Secrets.BearerToken == "" {
		errs.add(p.Secret("bearerToken"), "required for bearer auth")
	}
}
