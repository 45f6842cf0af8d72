package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
	"golang.org/x/oauth2"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Login auth: the token comes from the API's own login call. It is fetched
// and cached exactly as OAuth2 tokens are (oauth.go's oauth2Auth and
// tokenFetcher): through this client's transport (host policy, dial guard,
// TLS, outbound proxy), marked as a token fetch so no other credential of
// the upstream rides along (credentialsMiddleware), without following
// redirects, one login for many concurrent requests, replaced before it
// expires, dropped and fetched again when the upstream answers 401.

// maxLoginAnswer bounds what is read of the login call's answer.
const maxLoginAnswer = 1 << 20

// loginCall is one upstream's login request as configured.
type loginCall struct {
	c       *Client
	setting string // the login's settings path (jsonData.auth.login or a named upstream's)
	cfg     *settings.Login
	method  string
	target  *url.URL
	shown   string // what messages name: origin and path, never a query
	secrets map[string]string
	logins  atomic.Int64 // successful logins, for Health
	now     func() time.Time
}

func init() { registerAuth(settings.AuthLogin, (*Client).newLogin) }

func (c *Client) newLogin() (authenticator, error) {
	a := c.settings.Auth
	l := a.Login
	settingLogin := c.path.JSON("auth.login")
	if l == nil {
		return nil, &settings.FieldError{Field: settingLogin, Message: "required for login auth"}
	}
	var target *url.URL
	if strings.HasPrefix(l.Path, "/") {
		u, err := JoinPath(c.base, l.Path)
		if err != nil {
			return nil, &settings.FieldError{Field: settingLogin + ".path", Message: "not a usable path below the upstream URL"}
		}
		target = u
	} else {
		u, err := url.Parse(l.Path)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, &settings.FieldError{Field: settingLogin + ".path", Message: "must start with / or be an absolute http(s) URL"}
		}
		// Like OAuth2's token URL: the upstream host or one of allowedHosts.
		if e := c.hosts.allows(u); e != nil {
			return nil, &settings.FieldError{Field: settingLogin + ".path", Message: e.msg}
		}
		target = u
	}
	method := strings.ToUpper(l.Method)
	if method == "" {
		method = http.MethodPost
	}
	call := &loginCall{c: c, setting: settingLogin, cfg: l, method: method, target: target, secrets: c.settings.Secrets.Login, now: time.Now,
		shown: originOf(target) + target.EscapedPath()}
	f := &tokenFetcher{c: c, host: call.shown, what: "login token", source: call.fetch, tokenURL: settingLogin + ".path"}
	auth := &oauth2Auth{fetch: f, now: time.Now, header: a.TokenHeader, format: a.TokenFormat, cookie: a.TokenCookie,
		early: time.Nanosecond, login: call} // loginExpiry already keeps a margin
	if auth.format == "" && auth.cookie == "" {
		auth.format = "Bearer {{token}}" // whatever token_type x/oauth2 would guess
	}
	auth.ts.Store(auth.newSource())
	return auth, nil
}

// fetch logs in once. Errors are *Error naming the login's status, never
// its body (which may repeat what was sent).
func (l *loginCall) fetch(ctx context.Context) (*oauth2.Token, error) {
	body, contentType, err := l.body()
	if err != nil {
		return nil, newError(KindAuth, l.setting+".body", nil, "the login body cannot be built: %s", err.Error())
	}
	req, err := http.NewRequestWithContext(ctx, l.method, l.target.String(), body)
	if err != nil {
		return nil, newError(KindAuth, l.setting, nil, "invalid login request")
	}
	for k, v := range l.cfg.Headers {
		req.Header.Set(k, settings.RenderSecrets(v, l.secrets))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json, */*;q=0.5")
	hc := &http.Client{Transport: tokenTransport{next: l.c.http.Transport}, CheckRedirect: noRedirects}
	started := l.now()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err // described by tokenFetcher from the transport error
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxLoginAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, l.refused(resp.StatusCode)
	}
	tok, where := l.token(resp, answer)
	if tok == "" {
		return nil, newError(KindAuth, l.setting+"."+where, nil, "the login at %s answered %d without a token at %s %q",
			l.shown, resp.StatusCode, where, l.tokenLocation())
	}
	lifetime := l.lifetime(answer)
	l.logins.Add(1)
	return &oauth2.Token{AccessToken: tok, TokenType: "Bearer", Expiry: loginExpiry(started, lifetime)}, nil
}

// refused describes a login the upstream answered with an error status.
func (l *loginCall) refused(status int) *Error {
	msg := fmt.Sprintf("the login at %s failed: the upstream answered %d", l.shown, status)
	setting := ""
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden:
		msg += "; check the login body and its secrets"
		setting = l.setting + ".body"
		if keys := l.cfg.LoginSecretKeys(); len(keys) > 0 {
			setting = l.c.path.Secret(settings.LoginSecretPrefix + keys[0])
		}
	case status >= 300 && status < 400:
		msg += "; redirects are not followed for the login"
		setting = l.setting + ".path"
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		setting = l.setting + ".path"
	}
	e := newError(KindAuth, setting, nil, "%s", msg)
	e.Status = status
	return e
}

// body renders the configured body with its secrets.
func (l *loginCall) body() (io.Reader, string, error) {
	if l.cfg.Body == nil {
		return http.NoBody, "", nil
	}
	rendered := renderSecretsIn(l.cfg.Body, l.secrets)
	if l.cfg.ContentType == "form" {
		form := url.Values{}
		obj, _ := rendered.(map[string]any)
		for k, v := range obj {
			form.Set(k, formValue(v))
		}
		return strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", nil
	}
	b, err := json.Marshal(rendered)
	if err != nil {
		return nil, "", err
	}
	return bytes.NewReader(b), "application/json", nil
}

// renderSecretsIn is v with {{secure.<key>}} replaced in every string; v
// itself (the settings) is never changed.
func renderSecretsIn(v any, secrets map[string]string) any {
	switch x := v.(type) {
	case string:
		return settings.RenderSecrets(x, secrets)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = renderSecretsIn(e, secrets)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renderSecretsIn(e, secrets)
		}
		return out
	}
	return v
}

func formValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// token finds the token where the settings say; where names the setting.
func (l *loginCall) token(resp *http.Response, answer []byte) (string, string) {
	switch {
	case l.cfg.TokenHeader != "":
		return strings.TrimSpace(resp.Header.Get(l.cfg.TokenHeader)), "tokenHeader"
	case l.cfg.TokenCookie != "":
		for _, c := range resp.Cookies() {
			if c.Name == l.cfg.TokenCookie {
				return c.Value, "tokenCookie"
			}
		}
		return "", "tokenCookie"
	}
	r := gjson.GetBytes(answer, l.cfg.TokenPath)
	if r.Type != gjson.String && r.Type != gjson.Number {
		return "", "tokenPath"
	}
	return r.String(), "tokenPath"
}

func (l *loginCall) tokenLocation() string {
	for _, v := range []string{l.cfg.TokenPath, l.cfg.TokenHeader, l.cfg.TokenCookie} {
		if v != "" {
			return v
		}
	}
	return ""
}

// lifetime is how long the token is good for: seconds at expiresInPath in
// the answer, else expiresIn, else the default. An answer without a usable
// number at expiresInPath falls back to the default too: the token still
// works, and a 401 replaces it if it dies sooner.
func (l *loginCall) lifetime(answer []byte) time.Duration {
	if p := l.cfg.ExpiresInPath; p != "" {
		if r := gjson.GetBytes(answer, p); r.Type == gjson.Number || r.Type == gjson.String {
			if secs := r.Float(); secs > 0 {
				return time.Duration(secs * float64(time.Second))
			}
		}
		l.c.logger.Warn("The login answer has no lifetime at expiresInPath; using the default", "path", p,
			"default", settings.DefaultLoginLifetime.String())
		return settings.DefaultLoginLifetime
	}
	if d := l.cfg.ExpiresIn.Duration; d > 0 {
		return d
	}
	return settings.DefaultLoginLifetime
}

// loginExpiry is when a token obtained at started (when its login was sent)
// with that lifetime is replaced: a fifth of the lifetime early, at most
// 30s, so a request never leaves with a token about to lapse, and a
// short-lived token is still used for most of its life.
func loginExpiry(started time.Time, lifetime time.Duration) time.Time {
	margin := min(lifetime/5, 30*time.Second)
	return started.Add(lifetime - margin)
}

// LoginNote says that Relay logged in for this upstream, for Health; "" for
// other auth kinds or before the first login.
func (c *Client) LoginNote() string {
	if n, ok := c.auth.(authNoter); ok {
		return n.note()
	}
	return ""
}

// note makes oauth2Auth an authNoter: where it logged in, for login auth.
func (a *oauth2Auth) note() string {
	if a.login == nil || a.login.logins.Load() == 0 {
		return ""
	}
	return "logged in at " + a.login.shown
}
