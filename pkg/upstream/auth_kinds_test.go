package upstream

import (
	"slices"
	"testing"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Every auth kind the settings accept has an authenticator, and no
// authenticator serves a kind the settings refuse.
func TestEveryAuthKindHasAnAuthenticator(t *testing.T) {
	kinds := settings.AuthKinds()
	for _, k := range kinds {
		if _, ok := authBuilders[k]; !ok {
			t.Errorf("auth kind %q has no authenticator: add auth_%s.go calling registerAuth", k, k)
		}
	}
	for k := range authBuilders {
		if !slices.Contains(kinds, k) {
			t.Errorf("authenticator for %q, which pkg/settings does not register", k)
		}
	}
}

// What the client asks of some kinds is declared by the kinds themselves
// (the optional interfaces), so a new kind gets it by implementing them.
func TestOptionalAuthBehaviours(t *testing.T) {
	var a authenticator = &digestAuth{}
	if _, ok := a.(challenger); !ok {
		t.Error("digest is not a challenger")
	}
	a = &oauth2Auth{}
	if _, ok := a.(tokenRefresher); !ok {
		t.Error("oauth2 tokens are not refreshed after a 401")
	}
	if _, ok := a.(credentialStripper); !ok {
		t.Error("an oauth2 token header is not stripped off-origin")
	}
	if _, ok := a.(authNoter); !ok {
		t.Error("login has no health note")
	}
	for _, a := range []authenticator{noAuth{}, basicAuth{}, bearerAuth{}, forwardAuth{}} {
		if _, ok := a.(tokenRefresher); ok {
			t.Errorf("%T claims to refresh a token", a)
		}
		if _, ok := a.(challenger); ok {
			t.Errorf("%T claims to answer challenges", a)
		}
	}
	if _, ok := authenticator(apiKeyAuth{}).(credentialStripper); !ok {
		t.Error("an API key is not stripped off-origin")
	}
}
