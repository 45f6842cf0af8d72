package actions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// MaxResultBody is how much of the upstream's body a result carries; the rest
// is cut and the result says truncated.
const MaxResultBody = 1 << 20

// resultHeaders are the upstream response headers a result repeats: nothing
// that sets state in a browser or reveals credentials.
var resultHeaders = []string{"Content-Type", "Content-Language", "Location", "ETag", "Last-Modified", "Retry-After",
	"Link", "X-Request-Id", "X-Total-Count"}

// Result is the answer to a run: what the upstream said.
type Result struct {
	Action       string            `json:"action"`
	Status       int               `json:"status"`
	Headers      map[string]string `json:"headers"`
	Body         any               `json:"body"`
	BodyEncoding string            `json:"bodyEncoding,omitempty"` // "base64" for a binary body
	Truncated    bool              `json:"truncated"`
	Replayed     bool              `json:"replayed"`
	DurationMS   float64           `json:"durationMs"`
	bodyBytes    int
}

func (r *Result) size() int64 {
	n := int64(r.bodyBytes + 512)
	for k, v := range r.Headers {
		n += int64(len(k) + len(v))
	}
	return n
}

// call sends the rendered request and reads the answer into an outcome.
func (s *Service) call(req *http.Request, a *action) outcome {
	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		return outcome{err: upstreamError(err)}
	}
	defer resp.Body.Close()
	if upstream.RefusedCredentials(resp.StatusCode) {
		return outcome{err: upstream.CredentialsError(resp.StatusCode, "")}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResultBody+1))
	if err != nil {
		return outcome{err: upstreamError(err)}
	}
	res := &Result{Action: a.Name, Status: resp.StatusCode, Headers: map[string]string{}, bodyBytes: len(body)}
	for _, k := range resultHeaders {
		if v := resp.Header.Get(k); v != "" {
			res.Headers[k] = v
		}
	}
	if len(body) > MaxResultBody {
		body, res.Truncated = body[:MaxResultBody], true
		res.bodyBytes = len(body)
	}
	switch {
	case !res.Truncated && isJSON(resp.Header.Get("Content-Type")) && json.Valid(body):
		res.Body = json.RawMessage(body)
	case utf8.Valid(body):
		res.Body = string(body)
	default:
		res.Body, res.BodyEncoding = base64.StdEncoding.EncodeToString(body), "base64"
	}
	res.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	return outcome{result: res, status: upstream.CallerStatus(resp.StatusCode)}
}

// upstreamError is the caller's error for a failed call: a redirect hop the
// proxy rules refuse keeps the policy's own status and code.
func upstreamError(err error) *apierr.Error { return upstream.CallError(err, "") }

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// write answers with an outcome: the result as is on success, otherwise a
// Relay error whose details are the result.
func write(w http.ResponseWriter, r *http.Request, out outcome, replayed bool) {
	if out.result == nil {
		apierr.Write(w, r, out.err)
		return
	}
	res := *out.result
	res.Replayed = replayed
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if out.status != http.StatusOK {
		e := apierr.Downstream(out.status, "upstream_status", "action %s: the upstream answered HTTP %d", res.Action, res.Status)
		e.UpstreamStatus, e.Details = res.Status, res
		apierr.Write(w, r, e)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(res)
}

// detach keeps the upstream call running when the client goes away (an
// action half-done because a browser tab closed is worse than one done), and
// lets callers waiting on the same Idempotency-Key get its answer. The
// route's deadline still bounds it.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, dl)
	}
	return context.WithCancel(d)
}
