package upstream

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/settings"
)

func TestScrubberCoversEveryEncodingRelaySends(t *testing.T) {
	s := &settings.Settings{Upstream: settings.Upstream{Auth: settings.Auth{BasicUser: "cid", OAuth2: &settings.OAuth2{ClientID: "app id"}},
		Secrets: settings.Secrets{BasicAuthPassword: "p@ss/word+1", OAuth2ClientSecret: "s3cr&t value"}}}
	sc := newScrubber(&s.Upstream)
	sc.add("fetched-access-token-123")
	leaks := []string{
		"p@ss/word+1", url.QueryEscape("p@ss/word+1"), url.PathEscape("p@ss/word+1"),
		base64.StdEncoding.EncodeToString([]byte("cid:p@ss/word+1")),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape("app id") + ":" + url.QueryEscape("s3cr&t value"))),
		base64.RawURLEncoding.EncodeToString([]byte("app id:s3cr&t value")),
		url.QueryEscape("s3cr&t value"), "fetched-access-token-123",
		base64.StdEncoding.EncodeToString([]byte("fetched-access-token-123")),
	}
	for _, leak := range leaks {
		if got := sc.scrub("upstream said: " + leak + " (end)"); strings.Contains(got, leak) || !strings.Contains(got, "[redacted]") {
			t.Errorf("%q not scrubbed: %q", leak, got)
		}
	}
	if got := sc.scrub("nothing secret here"); got != "nothing secret here" {
		t.Errorf("ordinary text changed: %q", got)
	}
}

// Issue 21 §5: an upstream reflects what Relay sent inside JSON strings and
// HTML pages, escaped; and a cut (or the upstream itself) may shorten it.
func TestScrubberFindsEscapedAndShortenedSecrets(t *testing.T) {
	const pass = `<pä"ss/wörd>&1`
	const token = "tok_0123456789abcdefghijklmnopqrstuvwxyz"
	s := &settings.Settings{Upstream: settings.Upstream{Auth: settings.Auth{BasicUser: "cid"},
		Secrets: settings.Secrets{BasicAuthPassword: pass, BearerToken: token}}}
	sc := newScrubber(&s.Upstream)
	basic := base64.StdEncoding.EncodeToString([]byte("cid:" + pass))
	leaks := map[string]string{
		"JSON, Go style":           `{"echo":"\u003cpä\"ss/wörd\u003e\u00261"}`,
		"JSON, ASCII only":         `{"echo":"\u003cp\u00e4\"ss\/w\u00f6rd\u003e&1"}`,
		"JSON, upper-case hex":     `\u003Cp\u00E4\"ss\/w\u00F6rd\u003E\u00261`,
		"JSON inside JSON":         `"{\"echo\":\"\\u003cp\\u00e4\\\"ss\\/w\\u00f6rd\\u003e&1\"}"`,
		"HTML named":               `<td>&lt;pä&quot;ss/wörd&gt;&amp;1</td>`,
		"HTML decimal":             `&#60;p&#228;&#34;ss&#47;w&#246;rd&#62;&#38;1`,
		"HTML hex":                 `&#x3c;p&#xe4;&#x22;ss/w&#xF6;rd&#x3E;&#x26;1`,
		"percent, lower-case hex":  `%3cp%c3%a4%22ss%2fw%c3%b6rd%3e%261`,
		"JS \\x":                   `\x3cp\xe4\"ss/w\xf6rd\x3e&1`,
		"base64 with JSON slashes": strings.ReplaceAll(basic, "/", `\/`),
		"a token in HTML":          `<pre>Bearer ` + token + `</pre>`,
	}
	for name, text := range leaks {
		got := sc.scrub("upstream said: " + text + " (end)")
		if !strings.Contains(got, "[redacted]") || strings.Contains(got, "ss/w") || strings.Contains(got, "ss\\/w") ||
			strings.Contains(got, "0123456789") || !strings.HasPrefix(got, "upstream said: ") || !strings.HasSuffix(got, " (end)") {
			t.Errorf("%s: %q → %q", name, text, got)
		}
	}
	// Prefixes: a token cut by an upstream, a password minus its last character.
	for _, cut := range []string{token[:20], token[:len(token)-1], pass[:len(pass)-1], basic[:len(basic)-1], basic[:12]} {
		if got := sc.scrub("seen: " + cut + "…"); strings.Contains(got, cut[:8]) {
			t.Errorf("prefix %q: %q", cut, got)
		}
	}
	// Cut after scrubbing: the first 200 bytes never hold a piece of the token.
	long := strings.Repeat("x", 190) + token + strings.Repeat("y", 50)
	if got := sc.scrubCut(long, 200); strings.Contains(got, token[:4]) || !strings.HasSuffix(got, "…") || len(got) > 200+len("…") {
		t.Errorf("scrubCut: %q", got)
	}
	// Ordinary text, escapes included, is left as it is.
	for _, plain := range []string{"nothing secret here", `{"a":"\u003cb\u003e","b":"&lt;i&gt; 100% &amp; more"}`, `C:\path\to\x`, "tok_ alone"} {
		if got := sc.scrub(plain); got != plain {
			t.Errorf("ordinary text changed: %q → %q", plain, got)
		}
	}
}

func FuzzScrubberNeverLeaksTheToken(f *testing.F) {
	const token = "tok_0123456789abcdefghijklmnopqrstuvwxyz"
	sc := newScrubber(&settings.Upstream{Secrets: settings.Secrets{BearerToken: token}})
	f.Add("a", "b")
	f.Add(`\u00`, `&#x`)
	f.Fuzz(func(t *testing.T, before, after string) {
		got := sc.scrub(before + token + after)
		if strings.Contains(got, token) {
			t.Fatalf("leaked: %q", got)
		}
	})
}
