package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"
	"gopkg.in/yaml.v3"
)

// user is a Grafana user with one org role. Token stands for a service-account token sent as a Bearer token.
type user struct {
	Login    string `yaml:"login"`
	Password string `yaml:"password"`
	Name     string `yaml:"name"`
	Email    string `yaml:"email"`
	Role     string `yaml:"role"`
	Token    string `yaml:"token"`
	OrgID    int64  `yaml:"orgId"`
}

// orgRoles are Grafana's org roles; "None" is a member without a basic role.
var orgRoles = []string{"Viewer", "Editor", "Admin", "None"}

type users struct {
	list []*user
	// anonymous is the user of requests without credentials when anonymous access is on, else nil.
	anonymous *user
}

// anonymousAccess is Grafana's [auth.anonymous] section: requests without credentials act as a user with no login,
// name or email and the configured org role, which is how Grafana presents them to a plugin (PluginContext.User
// with an empty Login).
type anonymousAccess struct {
	Enabled bool   `yaml:"enabled"`
	Role    string `yaml:"role"`
	OrgID   int64  `yaml:"orgId"`
}

// loadUsers reads the users file: either a list of users or a mapping with a `users:` list. Without a file the dev
// host has Grafana's first-run account, admin/admin.
func loadUsers(path string, logger hclog.Logger) (*users, error) {
	if path == "" {
		logger.Warn("no -users given: the only user is admin/admin (Admin)")
		return newUsers([]*user{{Login: "admin", Password: "admin", Name: "admin", Role: "Admin"}})
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	list, anon, err := parseUsers(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	us, err := newUsers(list)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := us.allowAnonymous(anon); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return us, nil
}

// parseUsers reads a list of users, or {users: [...], anonymous: {enabled, role, orgId}}.
func parseUsers(raw []byte) ([]*user, *anonymousAccess, error) {
	var list []*user
	if err := yaml.Unmarshal(raw, &list); err == nil {
		return list, nil, nil
	}
	var wrapped struct {
		Users     []*user          `yaml:"users"`
		Anonymous *anonymousAccess `yaml:"anonymous"`
	}
	if err := yaml.Unmarshal(raw, &wrapped); err != nil {
		return nil, nil, err
	}
	return wrapped.Users, wrapped.Anonymous, nil
}

// allowAnonymous turns anonymous access on as Grafana's [auth.anonymous] does (role Viewer and org 1 by default).
func (us *users) allowAnonymous(a *anonymousAccess) error {
	if a == nil || !a.Enabled {
		return nil
	}
	role, ok := canonicalRole(a.Role)
	if !ok {
		return fmt.Errorf("anonymous: role %q is not one of %s", a.Role, strings.Join(orgRoles, ", "))
	}
	if a.OrgID == 0 {
		a.OrgID = 1
	}
	us.anonymous = &user{Role: role, OrgID: a.OrgID}
	return nil
}

func newUsers(list []*user) (*users, error) {
	seen := map[string]bool{}
	tokens := map[string]bool{}
	for i, u := range list {
		if u == nil || u.Login == "" {
			return nil, fmt.Errorf("user #%d has no login", i+1)
		}
		if seen[u.Login] {
			return nil, fmt.Errorf("user %q is listed twice", u.Login)
		}
		seen[u.Login] = true
		role, ok := canonicalRole(u.Role)
		if !ok {
			return nil, fmt.Errorf("user %q: role %q is not one of %s", u.Login, u.Role, strings.Join(orgRoles, ", "))
		}
		u.Role = role
		if u.Password == "" && u.Token == "" {
			return nil, fmt.Errorf("user %q has neither a password nor a token", u.Login)
		}
		if u.Token != "" {
			if tokens[u.Token] {
				return nil, fmt.Errorf("user %q: token is shared with another user", u.Login)
			}
			tokens[u.Token] = true
		}
		if u.OrgID == 0 {
			u.OrgID = 1
		}
	}
	return &users{list: list}, nil
}

func canonicalRole(role string) (string, bool) {
	if role == "" {
		return "Viewer", true // Grafana's default role for new org members
	}
	for _, r := range orgRoles {
		if strings.EqualFold(r, role) {
			return r, true
		}
	}
	return "", false
}

// Grafana's messages for a request without credentials, wrong basic auth and an unknown token.
const (
	msgNoCredentials  = "Unauthorized"
	msgBadCredentials = "Invalid username or password"
	msgBadToken       = "Invalid API key"
)

// authenticate checks HTTP basic auth or a Bearer service-account token and returns the user, or the message for
// the 401. Every user is compared, in constant time, so timing does not tell which logins exist.
func (us *users) authenticate(r *http.Request) (*user, string) {
	if login, password, ok := r.BasicAuth(); ok {
		if found := us.byPassword(login, password); found != nil {
			return found, ""
		}
		return nil, msgBadCredentials
	}
	auth := r.Header.Get("Authorization")
	if scheme, token, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(token)
		var found *user
		for _, u := range us.list {
			if u.Token != "" && secretEqual(u.Token, token) {
				found = u
			}
		}
		if found == nil {
			return nil, msgBadToken
		}
		return found, ""
	}
	return nil, msgNoCredentials
}

// id is the user's position in the users file, Grafana's numeric user id.
func (us *users) id(u *user) int64 {
	for i, o := range us.list {
		if o == u {
			return int64(i + 1)
		}
	}
	return 0
}

// byPassword returns the user with this login and password, or nil. Every user is compared, in constant time.
func (us *users) byPassword(login, password string) *user {
	var found *user
	for _, u := range us.list {
		loginOK := secretEqual(u.Login, login)
		passwordOK := u.Password != "" && secretEqual(u.Password, password)
		if loginOK && passwordOK {
			found = u
		}
	}
	return found
}

// secretEqual compares digests so neither content nor length leaks through timing.
func secretEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// requireUser answers 401 JSON, as Grafana's API does, unless the request carries valid credentials: basic
// auth, a service-account token, or else a session cookie from POST /login. A write on a session must come from
// a page of this host (Grafana's CSRF check), since the browser sends the cookie whichever page asks.
func (s *server) requireUser(next func(http.ResponseWriter, *http.Request, *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, msg := s.users.authenticate(r)
		if u == nil && msg == msgNoCredentials {
			if u = s.sessions.lookup(r); u != nil && !safeMethod(r.Method) && !sameOrigin(r) {
				writeJSONError(w, http.StatusForbidden, "origin not allowed")
				return
			}
		}
		if u == nil && msg == msgNoCredentials && s.users.anonymous != nil {
			u = s.users.anonymous // no credentials at all: Grafana's anonymous access (wrong ones still get 401)
		}
		if u == nil {
			writeJSONError(w, http.StatusUnauthorized, msg)
			return
		}
		next(w, r, u)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
