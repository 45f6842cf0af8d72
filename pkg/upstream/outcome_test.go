package upstream

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/apierr"
)

func TestOutcomePolicy(t *testing.T) {
	for _, tc := range []struct {
		upstream, caller int
		code             string
	}{{200, 200, ""}, {304, 200, ""}, {400, 400, "upstream_error"}, {401, 502, "upstream_unauthorized"},
		{403, 403, "upstream_error"}, {404, 404, "upstream_error"}, {407, 502, "upstream_unauthorized"},
		{429, 429, "upstream_error"}, {500, 502, "upstream_error"}, {503, 502, "upstream_error"}} {
		if got := CallerStatus(tc.upstream); got != tc.caller {
			t.Errorf("CallerStatus(%d) = %d, want %d", tc.upstream, got, tc.caller)
		}
		if tc.upstream < 400 {
			continue
		}
		e := StatusError(tc.upstream, "GET /x", "snippet")
		if e.Status != tc.caller || e.Code != tc.code || e.UpstreamStatus != tc.upstream || e.Source != apierr.SourceDownstream ||
			!strings.Contains(e.Message, "GET /x") || !strings.HasSuffix(e.Message, ": snippet") {
			t.Errorf("StatusError(%d) = %+v", tc.upstream, e)
		}
	}
}

func TestCallErrorKeepsTheGatesOwnError(t *testing.T) {
	own := apierr.New(http.StatusTooManyRequests, "rate_limited", "slow down")
	denied := newError(KindDenied, "", own, "%s", own.Error())
	if e := CallError(denied, ""); e.Status != http.StatusTooManyRequests || e.Code != "rate_limited" {
		t.Fatalf("denial: %+v", e)
	}
	if e := CallError(context.DeadlineExceeded, "reading: "); e.Status != http.StatusGatewayTimeout || e.Code != "upstream_timeout" ||
		!strings.HasPrefix(e.Message, "reading: ") {
		t.Fatalf("timeout: %+v", e)
	}
}
