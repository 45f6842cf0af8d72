package upstream

import (
	"encoding/base64"
	"net/url"
	"strings"
	"sync"

	"github.com/relay-gateway/relay/pkg/settings"
)

// scrubber replaces credentials in messages as a last line of defence: the
// messages are built not to include them, but an upstream error body may
// reflect what Relay sent (a Basic header, a token, a form-encoded secret),
// so every encoding Relay itself sends is replaced, not only plain values.
type scrubber struct {
	mu     sync.RWMutex
	forms  []string
	tokens [][]string // the forms of fetched OAuth2 access tokens, newest last, bounded
}

const maxScrubbedTokens = 8

func newScrubber(s *settings.Upstream) *scrubber {
	sc := &scrubber{}
	for _, v := range s.SecretValues() {
		sc.forms = append(sc.forms, forms(v)...)
	}
	for user, pass := range s.CredentialPairs() {
		sc.forms = append(sc.forms, base64Forms(user+":"+pass)...)
	}
	sc.forms = dedupe(sc.forms)
	return sc
}

// forms are the spellings of one secret value on the wire.
func forms(v string) []string {
	if len(v) < 4 { // shorter values would mangle ordinary words
		return nil
	}
	out := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	return append(out, base64Forms(v)...)
}

func base64Forms(v string) []string {
	b := []byte(v)
	return []string{base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, v := range in {
		if len(v) >= 4 && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	// Longest first, so a value containing another is replaced whole.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// add remembers a credential obtained at run time (an OAuth2 access token).
func (s *scrubber) add(v string) {
	if len(v) < 8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t[0] == v {
			return
		}
	}
	s.tokens = append(s.tokens, forms(v)) // forms(v)[0] is v itself
	if len(s.tokens) > maxScrubbedTokens {
		s.tokens = s.tokens[1:]
	}
}

// scrub replaces every credential in msg. It looks at the text as it is and
// as it reads once its escapes are undone (unescape: JSON's \u003c and \",
// HTML's &lt; and &#x3c;, percent-encoding, up to two layers deep), so a
// secret an upstream reflects inside a JSON string or an HTML page is found
// in whatever spelling it took. A prefix of a secret (at least partialLen
// bytes) is replaced too: an upstream or a cut may have shortened it, and a
// token's first half is still half the token.
func (s *scrubber) scrub(msg string) string {
	if msg == "" {
		return msg
	}
	s.mu.RLock()
	forms := s.forms
	if len(s.tokens) > 0 {
		forms = append([]string(nil), s.forms...)
		for _, fs := range s.tokens {
			forms = append(forms, fs...)
		}
	}
	s.mu.RUnlock()
	if len(forms) == 0 {
		return msg
	}
	spans := findSecrets(msg, forms, nil)
	text, m := msg, (*spanMap)(nil)
	for range maxUnescapeLayers {
		next, nm := unescape(text, m)
		if nm == nil {
			break // nothing escaped (any more)
		}
		text, m = next, nm
		spans = append(spans, findSecrets(text, forms, m)...)
	}
	return redact(msg, spans)
}

// ScrubCut scrubs text whole and only then cuts it to at most max bytes
// (on a rune boundary, "…" added): cutting first would leave a secret's
// prefix the scrubber no longer recognises as the whole secret.
func (s *scrubber) scrubCut(text string, max int) string {
	text = s.scrub(text)
	if len(text) <= max {
		return text
	}
	return strings.ToValidUTF8(text[:max], "") + "…"
}

func (s *scrubber) error(e *Error) *Error {
	clean := s.scrub(e.msg)
	if clean == e.msg {
		return e
	}
	cp := *e
	cp.msg = clean
	return &cp
}
