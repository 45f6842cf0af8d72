package settings

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// An auth kind is one value of jsonData.auth.type. Each kind is one file
// here (auth_<kind>.go: its constant, its fields, their validation, the
// secureJsonData keys it reads) whose init registers it, one file in
// pkg/upstream (how its credentials are sent) and one editor in
// src/components/config/auth/. Nothing else lists the kinds: validation,
// secret reading, scrubbing, the cache's per-user rule and the frontend's
// AUTH_KINDS (generated from AuthKinds) all read this registry.
type authKind struct {
	name string
	// order places the kind in AuthKinds (the editor's order).
	order int
	// secrets are the secureJsonData keys the kind reads. Every kind's
	// keys are read and scrubbed whichever kind is selected, so a secret
	// left from an earlier choice still never shows in a message.
	secrets []secretKey
	// defaults fills the kind's unset fields (optional).
	defaults func(a *Auth)
	// validate checks the kind's fields and secrets (optional); errors
	// name the field.
	validate func(s *Upstream, errs *Errors)
	// perUser: the credentials sent are the signed-in user's own, so the
	// upstream's answer may differ by user and is never shared between
	// users by a cache.
	perUser bool
	// readSecrets reads secrets whose keys only the settings know (a login
	// body's {{secure.<key>}}); scrubbed lists their values (optional).
	readSecrets func(s *Upstream, get func(string) string)
	scrubbed    func(s *Upstream) []string
	// pairs are user → password pairs the kind sends as Basic credentials,
	// so the scrubber also covers their base64 form (optional).
	pairs func(s *Upstream) map[string]string
}

// secretKey is one secureJsonData key of an auth kind and the field of
// Secrets it is read into.
type secretKey struct {
	key   string
	field func(*Secrets) *string
	// scrub lists what to scrub of the value when the value itself is not
	// what is sent (a key file: its private key); nil scrubs the value.
	scrub func(v string) []string
}

var authKinds []*authKind

// registerAuthKind adds an auth kind; each kind's file calls it from init.
func registerAuthKind(k *authKind) {
	for _, o := range authKinds {
		if o.name == k.name {
			panic("settings: auth kind " + k.name + " registered twice")
		}
	}
	authKinds = append(authKinds, k)
	slices.SortStableFunc(authKinds, func(a, b *authKind) int { return a.order - b.order })
}

func authKindOf(name string) *authKind {
	for _, k := range authKinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// AuthKinds are the values of jsonData.auth.type, in the editor's order.
// The frontend's copy (src/api/settings.gen.ts) is generated from it by
// pkg/plugin's TestFrontendSettings.
func AuthKinds() []string {
	out := make([]string, len(authKinds))
	for i, k := range authKinds {
		out[i] = k.name
	}
	return out
}

// AnswersPerUser says whether the upstream's answers may depend on who
// asks because of what Relay sends: the auth kind sends the user's own
// credentials, or X-Grafana-User or the caller's Grafana ID token is sent.
// Caches never share such answers.
func (s *Upstream) AnswersPerUser() bool {
	k := authKindOf(s.Auth.Type)
	return (k != nil && k.perUser) || s.SendUserHeader || s.ForwardGrafanaIDToken
}

// authSecretKeys are every kind's secret keys, each key once (basic and
// digest share basicAuthPassword).
func authSecretKeys() []secretKey {
	var out []secretKey
	seen := map[string]bool{}
	for _, k := range authKinds {
		for _, sk := range k.secrets {
			if !seen[sk.key] {
				seen[sk.key] = true
				out = append(out, sk)
			}
		}
	}
	return out
}

func readAuthSecrets(s *Upstream, get func(string) string) {
	for _, sk := range authSecretKeys() {
		*sk.field(&s.Secrets) = get(sk.key)
	}
	for _, k := range authKinds {
		if k.readSecrets != nil {
			k.readSecrets(s, get)
		}
	}
}

func authSecretValues(s *Upstream) []string {
	var out []string
	for _, sk := range authSecretKeys() {
		v := *sk.field(&s.Secrets)
		if v == "" {
			continue
		}
		if sk.scrub != nil {
			out = append(out, sk.scrub(v)...)
		} else {
			out = append(out, v)
		}
	}
	for _, k := range authKinds {
		if k.scrubbed != nil {
			out = append(out, k.scrubbed(s)...)
		}
	}
	return out
}

func validateAuth(s *Upstream, errs *Errors) {
	p := s.Path()
	k := authKindOf(s.Auth.Type)
	switch {
	case k == nil:
		errs.add(p.JSON("auth.type"), "unknown auth type %q (want one of %s)", s.Auth.Type, strings.Join(AuthKinds(), ", "))
	case k.validate != nil:
		k.validate(s, errs)
	}
	validateOutbound(s, errs)
}

// validateTokenFormat checks how a fetched token is sent (OAuth2, JWT, login).
func validateTokenFormat(field, header, format string, errs *Errors) {
	if header != "" && !httpguts.ValidHeaderFieldName(header) {
		errs.add(field+".tokenHeader", "%q is not a valid header name", header)
	}
	if format != "" && !strings.Contains(format, "{{token}}") {
		errs.add(field+".tokenFormat", "must contain {{token}} (e.g. \"Bearer {{token}}\")")
	}
}

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
