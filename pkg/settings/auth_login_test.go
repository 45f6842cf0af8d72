package settings

import (
	"strings"
	"testing"
)

func TestLoginSecretTemplates(t *testing.T) {
	l := &Login{Body: map[string]any{"user": "relay", "password": "{{secure.password}}",
		"nested": []any{map[string]any{"otp": "{{ secure.otp }}-x"}, 3.0}}, Headers: map[string]string{"X-Key": "k {{secure.apiKey}}"}}
	if got := strings.Join(l.LoginSecretKeys(), ","); got != "apiKey,otp,password" {
		t.Errorf("keys = %s", got)
	}
	sec := map[string]string{"password": "p{{w}}", "otp": "123"}
	for in, want := range map[string]string{
		"{{secure.password}}":           "p{{w}}", // a value is not itself a template
		"a {{ secure.otp }} b":          "a 123 b",
		"{{secure.unknown}}":            "",
		"{{token}} {{secure.password}}": "{{token}} p{{w}}",
		"no template":                   "no template",
	} {
		if got := RenderSecrets(in, sec); got != want {
			t.Errorf("RenderSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginSettings(t *testing.T) {
	ok := `{"auth":{"type":"login","login":{"path":"/login","body":{"u":"a","p":"{{secure.password}}"},"tokenPath":"token","expiresIn":"15m"}}}`
	s, err := Parse(ds("https://api.example.com", ok, map[string]string{"login.password": "pw-1234"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Secrets.Login["password"] != "pw-1234" || s.Auth.Login.ExpiresIn.Minutes() != 15 {
		t.Errorf("login settings: %+v", s.Auth.Login)
	}
	found := false
	for _, v := range s.SecretValues() {
		found = found || v == "pw-1234"
	}
	if !found {
		t.Error("a login secret is not among SecretValues, so it would not be scrubbed")
	}
	cases := []struct{ json, field string }{
		{`{"auth":{"type":"login"}}`, "jsonData.auth.login"},
		{`{"auth":{"type":"login","login":{"tokenPath":"t"}}}`, "jsonData.auth.login.path"},
		{`{"auth":{"type":"login","login":{"path":"login","tokenPath":"t"}}}`, "jsonData.auth.login.path"},
		{`{"auth":{"type":"login","login":{"path":"/login"}}}`, "jsonData.auth.login.tokenPath"},
		{`{"auth":{"type":"login","login":{"path":"/login","tokenPath":"t","tokenHeader":"X"}}}`, "jsonData.auth.login.tokenPath"},
		{`{"auth":{"type":"login","login":{"path":"/login","tokenPath":"t","method":"DELETE"}}}`, "jsonData.auth.login.method"},
		{`{"auth":{"type":"login","login":{"path":"/login","tokenPath":"t","contentType":"xml"}}}`, "jsonData.auth.login.contentType"},
		{`{"auth":{"type":"login","login":{"path":"/login","tokenPath":"t","contentType":"form","body":{"a":{"b":1}}}}}`, "jsonData.auth.login.body.a"},
		{`{"auth":{"type":"login","login":{"path":"/login","tokenPath":"t","body":{"p":"{{secure.pw}}"}}}}`, "secureJsonData.login.pw"},
		{`{"auth":{"type":"login","login":{"path":"/login","tokenPath":"t","expiresInPath":"e","expiresIn":"1m"}}}`, "jsonData.auth.login.expiresIn"},
		{`{"auth":{"type":"login","tokenFormat":"Bearer","login":{"path":"/login","tokenPath":"t"}}}`, "jsonData.auth.tokenFormat"},
		{`{"auth":{"type":"login","tokenHeader":"A","tokenCookie":"s","login":{"path":"/login","tokenPath":"t"}}}`, "jsonData.auth.tokenCookie"},
		{`{"upstreams":[{"name":"b","url":"https://b.example","auth":{"type":"login","login":{"path":"/login","tokenPath":"t","body":{"p":"{{secure.pw}}"}}}}]}`,
			"secureJsonData.upstreams.b.login.pw"},
	}
	for _, tc := range cases {
		_, err := Parse(ds("https://api.example.com", tc.json, nil))
		if err == nil || !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("%s: want an error naming %s, got %v", tc.json, tc.field, err)
		}
	}
	named := `{"upstreams":[{"name":"b","url":"https://b.example","auth":{"type":"login","login":{"path":"/login","tokenPath":"t","body":{"p":"{{secure.pw}}"}}}}]}`
	s, err = Parse(ds("https://api.example.com", named, map[string]string{"upstreams.b.login.pw": "named-pw", "login.pw": "not-this"}))
	if err != nil || s.Lookup("b").Secrets.Login["pw"] != "named-pw" {
		t.Errorf("named upstream login secret: %v", err)
	}
}
