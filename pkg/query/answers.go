package query

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/transform"
)

// Answers as data: acceptStatus lets a query read an error answer (a 404's
// body, a 503's status) as data instead of failing, and responseFields adds
// what is known about the answer itself (status, duration, final URL,
// headers) as columns on every row — endpoint-health panels and alerts need
// no second data source.

// statusSet is a query's acceptStatus: codes ("404") and classes ("5xx").
// 2xx answers are always data.
type statusSet struct {
	codes   map[int]bool
	classes [6]bool
}

func (s *statusSet) accepts(status int) bool {
	if status >= 200 && status < 300 {
		return true
	}
	if s == nil {
		return false
	}
	if s.codes[status] {
		return true
	}
	c := status / 100
	return c >= 1 && c <= 5 && s.classes[c]
}

// maxResponseFields bounds responseFields (each is a column on every row).
const maxResponseFields = 20

// validateAnswers checks acceptStatus and responseFields (called by Parse).
func (q *Query) validateAnswers() error {
	if len(q.AcceptStatus) > 0 {
		s := &statusSet{codes: map[int]bool{}}
		for _, v := range q.AcceptStatus {
			v = strings.ToLower(strings.TrimSpace(v))
			if len(v) == 3 && strings.HasSuffix(v, "xx") && v[0] >= '1' && v[0] <= '5' {
				s.classes[v[0]-'0'] = true
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 100 || n > 599 {
				return fmt.Errorf("acceptStatus: %q is not a status code (404) or class (5xx)", v)
			}
			s.codes[n] = true
		}
		q.accept = s
	}
	if len(q.ResponseFields) > maxResponseFields {
		return fmt.Errorf("responseFields: at most %d", maxResponseFields)
	}
	seen := map[string]bool{}
	for _, f := range q.ResponseFields {
		name := responseColumn(f)
		switch {
		case f == "status", f == "durationMs", f == "url":
		case strings.HasPrefix(f, "header:") && name != "":
		default:
			return fmt.Errorf("responseFields: %q is not status, durationMs, url or header:<Name>", f)
		}
		if seen[name] {
			return fmt.Errorf("responseFields: column %q twice", name)
		}
		seen[name] = true
	}
	if (q.accept != nil || len(q.ResponseFields) > 0) && q.Pagination != nil && q.Pagination.Mode.paged() {
		return fmt.Errorf("acceptStatus and responseFields: not supported with pagination (each page has its own answer)")
	}
	return nil
}

// responseColumn is the column a response field becomes.
func responseColumn(f string) string {
	if h, ok := strings.CutPrefix(f, "header:"); ok {
		return strings.TrimSpace(h)
	}
	return f
}

// answerMeta is what fetch learnt about one upstream answer.
type answerMeta struct {
	Status   int
	Duration time.Duration
	URL      string // final URL, credentials and secret parameters removed
	Header   http.Header
}

// answerOf describes resp, fetched since start. The URL loses its userinfo
// and every query parameter whose value holds a credential (an API key in
// the query): what the scrubber would change is not shown at all.
func (r *Runner) answerOf(resp *http.Response, start time.Time) answerMeta {
	a := answerMeta{Status: resp.StatusCode, Duration: time.Since(start), Header: resp.Header}
	if resp.Request != nil && resp.Request.URL != nil {
		u := *resp.Request.URL
		u.User = nil
		u.Fragment = ""
		if u.RawQuery != "" {
			q := u.Query()
			for k, vs := range q {
				for _, v := range vs {
					if r.client.Scrub(v) != v || r.client.Scrub(k) != k {
						q.Del(k)
						break
					}
				}
			}
			u.RawQuery = q.Encode()
		}
		a.URL = r.client.Scrub(u.String())
	}
	return a
}

// statusOnly is the result of an answer with nothing for the pipeline — an
// empty body, or an accepted error's body that is not JSON (an HTML error
// page) — in a query that reads answers as data: one row with the status
// (and the other response fields). nil when the body goes through the
// pipeline, as always without acceptStatus and responseFields.
func (q *Query) statusOnly(pg *page) *transform.Result {
	if q.accept == nil && len(q.ResponseFields) == 0 {
		return nil
	}
	empty := len(strings.TrimSpace(string(pg.Body))) == 0
	success := pg.answer.Status >= 200 && pg.answer.Status < 300
	if !empty && (success || json.Valid(pg.Body)) {
		return nil
	}
	f := data.NewFrame("response")
	res := &transform.Result{Frames: data.Frames{f}, Rows: 1}
	fields := q.ResponseFields
	if !containsString(fields, "status") {
		fields = append([]string{"status"}, fields...)
	}
	addResponseFields(f, fields, pg.answer, 1)
	return res
}

// addResponseFields adds the query's response fields to every frame of res.
func (q *Query) addResponseFields(res *transform.Result, pg *page) {
	if len(q.ResponseFields) == 0 || pg == nil {
		return
	}
	for _, f := range res.Frames {
		n, _ := f.RowLen()
		addResponseFields(f, q.ResponseFields, pg.answer, n)
	}
}

func addResponseFields(f *data.Frame, fields []string, a answerMeta, rows int) {
	for _, name := range fields {
		col := responseColumn(name)
		if f.Fields != nil {
			if _, i := f.FieldByName(col); i >= 0 {
				col = "response." + col // the answer's own column of that name wins
			}
		}
		switch name {
		case "status":
			f.Fields = append(f.Fields, data.NewField(col, nil, repeat(int64(a.Status), rows)))
		case "durationMs":
			ms := float64(a.Duration.Microseconds()) / 1000
			f.Fields = append(f.Fields, data.NewField(col, nil, repeat(ms, rows)))
		case "url":
			f.Fields = append(f.Fields, data.NewField(col, nil, repeat(a.URL, rows)))
		default:
			f.Fields = append(f.Fields, data.NewField(col, nil, repeat(a.Header.Get(responseColumn(name)), rows)))
		}
	}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// readsAnswer reports whether the query reads its answer's status, timing or
// headers, which a cached body does not keep: such queries bypass the cache.
func (q *Query) readsAnswer() bool { return q.accept != nil || len(q.ResponseFields) > 0 }
