// Package role models Grafana's organisation roles as an ordered scale, so a
// policy can say "at least Editor" and compare.
package role

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Role is a Grafana org role. The zero value is None: no access beyond what is public.
type Role int

const (
	None Role = iota
	Viewer
	Editor
	Admin
)

// All lists the roles from weakest to strongest.
var All = []Role{None, Viewer, Editor, Admin}

func (r Role) String() string {
	switch r {
	case Viewer:
		return "Viewer"
	case Editor:
		return "Editor"
	case Admin:
		return "Admin"
	default:
		return "None"
	}
}

// AtLeast reports whether r satisfies the minimum role min.
func (r Role) AtLeast(min Role) bool { return r >= min }

// Parse reads a Grafana role name case-insensitively. Grafana sends "Viewer",
// "Editor", "Admin" or "None"; "GrafanaAdmin" is not an org role and is refused.
func Parse(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "viewer":
		return Viewer, nil
	case "editor":
		return Editor, nil
	case "admin":
		return Admin, nil
	case "none", "":
		return None, nil
	}
	return None, fmt.Errorf("unknown role %q (want Viewer, Editor, Admin or None)", s)
}

// FromGrafana maps PluginContext.User.Role; anything unknown is None, so a
// malformed role never grants access.
func FromGrafana(s string) Role {
	r, err := Parse(s)
	if err != nil {
		return None
	}
	return r
}

func (r Role) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

func (r *Role) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("role must be a string: %w", err)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}
