package authz

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
)

// APIKeyHeader carries a machine caller's key. Grafana passes it through to
// the plugin; Relay never forwards it upstream.
const APIKeyHeader = "X-API-Key"

// keyring verifies presented keys against the salted hashes in settings.
// Several keys may be valid at once, which is how rotation works.
type keyring struct {
	keys []settings.APIKey
}

// verify returns the matching key's name. Every stored key is compared (in
// constant time) so timing says nothing about which one, or how much, matched.
func (k keyring) verify(presented, scope string, now time.Time) (string, *apierr.Error) {
	if presented == "" {
		return "", apierr.Forbidden("api_key_required", "%s requires an API key in the %s header", scope, APIKeyHeader)
	}
	var match *settings.APIKey
	for i := range k.keys {
		key := &k.keys[i]
		sum := sha256.Sum256(append(slices.Clip(key.Salt), presented...))
		if subtle.ConstantTimeCompare(sum[:], key.Hash) == 1 && match == nil {
			match = key
		}
	}
	switch {
	case match == nil:
		return "", apierr.Forbidden("api_key_invalid", "the API key is not valid")
	case match.Expires != nil && !now.Before(*match.Expires):
		return "", apierr.Forbidden("api_key_expired", "the API key %q expired at %s", match.Name, match.Expires.Format(time.RFC3339))
	case !inScope(match.Scopes, scope):
		return "", apierr.Forbidden("api_key_scope", "the API key %q is not scoped for %s", match.Name, scope)
	}
	return match.Name, nil
}

// inScope: no scopes means every machine route; "action:*" covers all actions.
func inScope(scopes []string, scope string) bool {
	if len(scopes) == 0 || slices.Contains(scopes, scope) || slices.Contains(scopes, "*") {
		return true
	}
	return len(scope) > 7 && scope[:7] == "action:" && slices.Contains(scopes, "action:*")
}

// HashKey computes the stored form "sha256:<saltHex>:<hashHex>" for a key;
// the config editor does the same in the browser.
func HashKey(salt []byte, key string) [32]byte {
	return sha256.Sum256(append(slices.Clip(salt), key...))
}
