package harness

import (
	"fmt"
	"net/http"

	"gopkg.in/yaml.v3"
)

// credential is how the harness signs in as one user of the users YAML: basic auth, or the user's service-account
// token when it has no password.
type credential struct {
	login, password, token string
}

func (c credential) apply(req *http.Request) {
	if c.password != "" {
		req.SetBasicAuth(c.login, c.password)
		return
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
}

// parseCredentials reads the same two shapes the dev host accepts: a list of users or {users: [...]}.
func parseCredentials(doc string) (map[string]credential, error) {
	type entry struct {
		Login    string `yaml:"login"`
		Password string `yaml:"password"`
		Token    string `yaml:"token"`
	}
	var list []entry
	if err := yaml.Unmarshal([]byte(doc), &list); err != nil {
		var wrapped struct {
			Users []entry `yaml:"users"`
		}
		if err := yaml.Unmarshal([]byte(doc), &wrapped); err != nil {
			return nil, err
		}
		list = wrapped.Users
	}
	creds := make(map[string]credential, len(list))
	for _, e := range list {
		if e.Login == "" || (e.Password == "" && e.Token == "") {
			return nil, fmt.Errorf("user %q needs a login and a password or token", e.Login)
		}
		creds[e.Login] = credential{login: e.Login, password: e.Password, token: e.Token}
	}
	return creds, nil
}
