package upstream

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/settings"
)

func TestScrubberCoversEveryEncodingRelaySends(t *testing.T) {
	s := &settings.Settings{Auth: settings.Auth{BasicUser: "cid", OAuth2: &settings.OAuth2{ClientID: "app id"}},
		Secrets: settings.Secrets{BasicAuthPassword: "p@ss/word+1", OAuth2ClientSecret: "s3cr&t value"}}
	sc := newScrubber(s)
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
