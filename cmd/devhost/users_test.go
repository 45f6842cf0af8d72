package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/go-hclog"
)

const usersYAML = `
- login: admin
  password: admin-pw
  name: The Admin
  email: admin@example.com
  role: Admin
- login: viewer
  password: viewer-pw
  role: viewer
- login: robot
  token: glsa_robot_token
  role: Editor
- login: nobody
  password: nobody-pw
  role: None
`

func mustUsers(t *testing.T, doc string) *users {
	t.Helper()
	list, anon, err := parseUsers([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	us, err := newUsers(list)
	if err != nil {
		t.Fatal(err)
	}
	if err := us.allowAnonymous(anon); err != nil {
		t.Fatal(err)
	}
	return us
}

func TestParseUsersBothShapes(t *testing.T) {
	plain := mustUsers(t, usersYAML)
	wrapped := mustUsers(t, "users:\n  - login: a\n    password: p\n")
	if len(plain.list) != 4 || len(wrapped.list) != 1 {
		t.Fatalf("got %d and %d users", len(plain.list), len(wrapped.list))
	}
	if plain.list[1].Role != "Viewer" || plain.list[3].Role != "None" || plain.list[0].OrgID != 1 {
		t.Errorf("roles/org not normalised: %+v %+v", plain.list[1], plain.list[3])
	}
	if wrapped.list[0].Role != "Viewer" {
		t.Errorf("default role = %q, want Viewer", wrapped.list[0].Role)
	}
}

func TestNewUsersRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"bad role":       "- {login: a, password: p, role: Superuser}\n",
		"no login":       "- {password: p}\n",
		"duplicate":      "- {login: a, password: p}\n- {login: a, password: q}\n",
		"no credentials": "- {login: a}\n",
		"shared token":   "- {login: a, token: t}\n- {login: b, token: t}\n",
	} {
		list, _, err := parseUsers([]byte(doc))
		if err == nil {
			_, err = newUsers(list)
		}
		if err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestDefaultUser(t *testing.T) {
	us, err := loadUsers("", hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/datasources", nil)
	r.SetBasicAuth("admin", "admin")
	if u, _ := us.authenticate(r); u == nil || u.Role != "Admin" {
		t.Errorf("admin/admin: got %+v", u)
	}
}

func TestAuthenticate(t *testing.T) {
	us := mustUsers(t, usersYAML)
	cases := []struct {
		name      string
		set       func(r *http.Request)
		wantLogin string
		wantMsg   string
	}{
		{"no credentials", func(*http.Request) {}, "", msgNoCredentials},
		{"basic ok", func(r *http.Request) { r.SetBasicAuth("admin", "admin-pw") }, "admin", ""},
		{"basic role None", func(r *http.Request) { r.SetBasicAuth("nobody", "nobody-pw") }, "nobody", ""},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth("admin", "viewer-pw") }, "", msgBadCredentials},
		{"unknown login", func(r *http.Request) { r.SetBasicAuth("ghost", "admin-pw") }, "", msgBadCredentials},
		{"token user has no password", func(r *http.Request) { r.SetBasicAuth("robot", "") }, "", msgBadCredentials},
		{"bearer ok", func(r *http.Request) { r.Header.Set("Authorization", "Bearer glsa_robot_token") }, "robot", ""},
		{"bearer lower-case scheme", func(r *http.Request) { r.Header.Set("Authorization", "bearer glsa_robot_token") }, "robot", ""},
		{"bearer wrong", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, "", msgBadToken},
		{"other scheme", func(r *http.Request) { r.Header.Set("Authorization", "Digest x") }, "", msgNoCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/datasources", nil)
			tc.set(r)
			u, msg := us.authenticate(r)
			login := ""
			if u != nil {
				login = u.Login
			}
			if login != tc.wantLogin || msg != tc.wantMsg {
				t.Errorf("got (%q, %q), want (%q, %q)", login, msg, tc.wantLogin, tc.wantMsg)
			}
		})
	}
}

func TestRequireUserWrites401JSON(t *testing.T) {
	s := &server{users: mustUsers(t, usersYAML)}
	called := false
	h := s.requireUser(func(http.ResponseWriter, *http.Request, *user) { called = true })
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/api/datasources", nil)
	r.SetBasicAuth("admin", "wrong")
	h(rec, r)
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if called || rec.Code != http.StatusUnauthorized || body["message"] != msgBadCredentials ||
		rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("called=%v code=%d body=%v headers=%v", called, rec.Code, body, rec.Header())
	}
}

// Grafana's anonymous access: a request without any credentials acts as a user with no login and the configured
// role; wrong credentials are still a 401, and without the section no credentials are a 401.
func TestRequireUserAnonymousAccess(t *testing.T) {
	serve := func(doc string, set func(r *http.Request)) (int, *user) {
		s := &server{users: mustUsers(t, doc), sessions: newSessions()}
		var got *user
		h := s.requireUser(func(_ http.ResponseWriter, _ *http.Request, u *user) { got = u })
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/api/datasources", nil)
		set(r)
		h(rec, r)
		return rec.Code, got
	}
	anon := "users:\n  - {login: a, password: p}\nanonymous: {enabled: true, role: Editor, orgId: 2}\n"
	if code, u := serve(anon, func(*http.Request) {}); code != 200 || u == nil || u.Login != "" || u.Name != "" ||
		u.Role != "Editor" || u.OrgID != 2 {
		t.Fatalf("anonymous: %d %+v", code, u)
	}
	if code, _ := serve(anon, func(r *http.Request) { r.SetBasicAuth("a", "wrong") }); code != http.StatusUnauthorized {
		t.Errorf("wrong credentials with anonymous access: %d, want 401", code)
	}
	if code, u := serve(anon, func(r *http.Request) { r.SetBasicAuth("a", "p") }); code != 200 || u.Login != "a" {
		t.Errorf("signed-in user with anonymous access: %d %+v", code, u)
	}
	if code, u := serve("users:\n  - {login: a, password: p}\nanonymous: {enabled: true}\n", func(*http.Request) {}); code != 200 ||
		u.Role != "Viewer" || u.OrgID != 1 {
		t.Errorf("anonymous defaults: %d %+v", code, u)
	}
	if code, _ := serve("users:\n  - {login: a, password: p}\nanonymous: {enabled: false, role: Admin}\n", func(*http.Request) {}); code != http.StatusUnauthorized {
		t.Errorf("anonymous access off: %d, want 401", code)
	}
	if _, anon, _ := parseUsers([]byte("users: []\nanonymous: {enabled: true, role: Root}\n")); (&users{}).allowAnonymous(anon) == nil {
		t.Error("a bad anonymous role was accepted")
	}
}
