package settings

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// AuthLogin sends a token obtained from the API's own login call.
const AuthLogin = "login"

func init() {
	registerAuthKind(&authKind{name: AuthLogin, order: 100, validate: validateLogin, readSecrets: readLoginSecrets,
		scrubbed: func(s *Upstream) []string {
			var out []string
			for _, v := range s.Secrets.Login {
				if v != "" {
					out = append(out, v)
				}
			}
			return out
		}})
}

// Login is jsonData.auth.login: the request that returns a token and where
// the token is in its answer. How the token is then sent is Auth.TokenHeader,
// Auth.TokenFormat or Auth.TokenCookie.
type Login struct {
	Method string `json:"method,omitempty"` // POST (default), PUT or GET
	// Path is below the upstream URL ("/login") or an absolute URL on a host
	// of network.allowedHosts.
	Path        string `json:"path"`
	ContentType string `json:"contentType,omitempty"` // json (default) | form
	// Body is the request body; its strings may name secrets as
	// {{secure.<key>}}, read from secureJsonData login.<key>.
	Body    any               `json:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Exactly one says where the token is: a gjson path in the JSON answer,
	// a response header, or a Set-Cookie cookie.
	TokenPath   string `json:"tokenPath,omitempty"`
	TokenHeader string `json:"tokenHeader,omitempty"`
	TokenCookie string `json:"tokenCookie,omitempty"`
	// The token's lifetime: seconds at a gjson path of the answer, or a fixed
	// duration; DefaultLoginLifetime when neither is set.
	ExpiresInPath string   `json:"expiresInPath,omitempty"`
	ExpiresIn     Duration `json:"expiresIn,omitempty"`
}

// DefaultLoginLifetime is a login token's lifetime when the settings and
// the answer say nothing.
const DefaultLoginLifetime = 10 * time.Minute

// LoginSecretPrefix prefixes the secureJsonData keys a login body names:
// {{secure.password}} is login.password (upstreams.<name>.login.password).
const LoginSecretPrefix = "login."

// secureRef matches {{secure.<key>}} in a login body or header value.
var secureRef = regexp.MustCompile(`\{\{\s*secure\.([A-Za-z0-9_.-]+)\s*\}\}`)

// LoginSecretKeys are the keys (without LoginSecretPrefix) the login's body
// and header values name, sorted, each once.
func (l *Login) LoginSecretKeys() []string {
	seen := map[string]bool{}
	l.eachString(func(s string) {
		for _, m := range secureRef.FindAllStringSubmatch(s, -1) {
			seen[m[1]] = true
		}
	})
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (l *Login) eachString(f func(string)) {
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			f(x)
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(l.Body)
	for _, v := range l.Headers {
		f(v)
	}
}

// RenderSecrets replaces every {{secure.<key>}} in s with secrets[key]; an
// unknown key becomes "" (validation refuses it at load).
func RenderSecrets(s string, secrets map[string]string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return secureRef.ReplaceAllStringFunc(s, func(m string) string {
		return secrets[secureRef.FindStringSubmatch(m)[1]]
	})
}

func readLoginSecrets(s *Upstream, get func(string) string) {
	l := s.Auth.Login
	if s.Auth.Type != AuthLogin || l == nil {
		return
	}
	for _, k := range l.LoginSecretKeys() {
		if s.Secrets.Login == nil {
			s.Secrets.Login = map[string]string{}
		}
		s.Secrets.Login[k] = get(LoginSecretPrefix + k)
	}
}

var loginMethods = map[string]bool{http.MethodPost: true, http.MethodPut: true, http.MethodGet: true}

func validateLogin(s *Upstream, errs *Errors) {
	p := s.Path()
	a := s.Auth
	l := a.Login
	f := p.JSON("auth.login")
	if l == nil {
		errs.add(f, "required for login auth (path and tokenPath, tokenHeader or tokenCookie)")
		return
	}
	if m := strings.ToUpper(l.Method); m != "" && !loginMethods[m] {
		errs.add(f+".method", "must be POST, PUT or GET, got %q", l.Method)
	}
	switch {
	case l.Path == "":
		errs.add(f+".path", "required: the login path below the upstream URL (e.g. /login) or an absolute URL")
	case strings.HasPrefix(l.Path, "/"):
		if strings.Contains(l.Path, "..") || strings.ContainsAny(l.Path, "?#") {
			errs.add(f+".path", "must not contain .., ? or #")
		}
	case !absoluteHTTP(l.Path):
		errs.add(f+".path", "must start with / or be an absolute http(s) URL")
	}
	switch l.ContentType {
	case "", "json":
	case "form":
		if obj, ok := l.Body.(map[string]any); l.Body != nil && !ok {
			errs.add(f+".body", "must be an object of fields with contentType form")
		} else {
			for k, v := range obj {
				switch v.(type) {
				case map[string]any, []any:
					errs.add(f+".body."+k, "must be a string, number or boolean with contentType form")
				}
			}
		}
	default:
		errs.add(f+".contentType", "must be json or form, got %q", l.ContentType)
	}
	if strings.EqualFold(l.Method, http.MethodGet) && l.Body != nil {
		errs.add(f+".body", "a GET login cannot have a body")
	}
	for name, v := range l.Headers {
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			errs.add(f+".headers", "%q is not a valid header name", name)
		case reservedHeaders[http.CanonicalHeaderKey(name)] || strings.EqualFold(name, "Content-Type"):
			errs.add(f+".headers", "%q is managed by Relay and cannot be configured", name)
		case !httpguts.ValidHeaderFieldValue(v):
			errs.add(f+".headers", "the value of %q is not a valid header value", name)
		}
	}
	set := 0
	for _, v := range []string{l.TokenPath, l.TokenHeader, l.TokenCookie} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		errs.add(f+".tokenPath", "set exactly one of tokenPath (a path in the JSON answer), tokenHeader or tokenCookie")
	}
	if l.TokenHeader != "" && !httpguts.ValidHeaderFieldName(l.TokenHeader) {
		errs.add(f+".tokenHeader", "%q is not a valid header name", l.TokenHeader)
	}
	if l.ExpiresInPath != "" && l.ExpiresIn.Duration != 0 {
		errs.add(f+".expiresIn", "set expiresInPath or expiresIn, not both")
	}
	if l.ExpiresIn.Duration < 0 || (l.ExpiresIn.Duration > 0 && l.ExpiresIn.Duration < time.Second) {
		errs.add(f+".expiresIn", "must be at least 1s")
	}
	for _, k := range l.LoginSecretKeys() {
		if s.Secrets.Login[k] == "" {
			errs.add(p.Secret(LoginSecretPrefix+k), "required: the login body names {{secure.%s}}", k)
		}
	}
	if a.TokenHeader != "" && a.TokenCookie != "" {
		errs.add(p.JSON("auth.tokenCookie"), "set tokenHeader or tokenCookie, not both")
	}
	if a.TokenCookie != "" && !validCookieName(a.TokenCookie) {
		errs.add(p.JSON("auth.tokenCookie"), "%q is not a valid cookie name", a.TokenCookie)
	}
	validateTokenFormat(p.JSON("auth"), a.TokenHeader, a.TokenFormat, errs)
}

func validCookieName(n string) bool {
	return n != "" && httpguts.ValidHeaderFieldName(n) // a cookie name is an RFC 7230 token
}

// Shown is what messages show of the login target: the path, or an
// absolute URL without its query.
func (l *Login) Shown() string {
	if i := strings.IndexAny(l.Path, "?#"); i >= 0 {
		return l.Path[:i]
	}
	return l.Path
}
