package settings

import "strings"

// AuthSigV4 signs every request with AWS Signature Version 4.
const AuthSigV4 = "sigv4"

func init() {
	registerAuthKind(&authKind{name: AuthSigV4, order: 60, validate: validateSigV4, secrets: []secretKey{
		{key: "sigV4AccessKey", field: func(s *Secrets) *string { return &s.SigV4AccessKey }},
		{key: "sigV4SecretKey", field: func(s *Secrets) *string { return &s.SigV4SecretKey }},
		{key: "sigV4SessionToken", field: func(s *Secrets) *string { return &s.SigV4SessionToken }},
	}})
}

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

func validateSigV4(s *Upstream, errs *Errors) {
	p := s.Path()
	a, sec := s.Auth, s.Secrets
	v := a.SigV4
	if v == nil {
		errs.add(p.JSON("auth.sigv4"), "required for sigv4 auth (region and service)")
		return
	}
	if v.Region == "" {
		errs.add(p.JSON("auth.sigv4.region"), "required for sigv4 auth (e.g. eu-west-1)")
	}
	if v.Service == "" {
		errs.add(p.JSON("auth.sigv4.service"), "required for sigv4 auth (e.g. execute-api, es, aps)")
	}
	switch v.AuthMode {
	case "", "keys":
		if sec.SigV4AccessKey == "" || sec.SigV4SecretKey == "" {
			errs.add(p.Secret("sigV4SecretKey"), "sigV4AccessKey and sigV4SecretKey are required with authMode keys")
		}
	case "default":
	default:
		errs.add(p.JSON("auth.sigv4.authMode"), "must be keys or default, got %q", v.AuthMode)
	}
	if v.AssumeRoleARN != "" && !strings.HasPrefix(v.AssumeRoleARN, "arn:") {
		errs.add(p.JSON("auth.sigv4.assumeRoleArn"), "must be a role ARN (arn:aws:iam::<account>:role/<name>)")
	}
	if v.STSEndpoint != "" && !absoluteHTTP(v.STSEndpoint) {
		errs.add(p.JSON("auth.sigv4.stsEndpoint"), "must be an absolute http(s) URL")
	}
}
