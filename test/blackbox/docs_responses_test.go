package blackbox

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// exchange is one resource call a documented example made, as the dev host answered it.
type exchange struct {
	method, path, rawQuery string
	auth                   http.Header // the caller's credentials, to fetch the same document the caller sees
	status                 int
	header                 http.Header
	body                   []byte
}

// answerRecorder stands between the documented examples and the dev host (loopback only) and keeps every resource
// API call's answer, so the answers can be held to the OpenAPI document the data source serves.
type answerRecorder struct {
	URL   string
	mu    sync.Mutex
	calls []exchange
}

var resourcePath = regexp.MustCompile(`^/api/datasources/uid/([^/]+)/resources(/.*)?$`)

// maxRecorded bounds a recorded body; a longer one (none of the examples' answers) is not validated.
const maxRecorded = 8 << 20

func newAnswerRecorder(t *testing.T, devHost string) *answerRecorder {
	target, err := url.Parse(devHost)
	if err != nil {
		t.Fatal(err)
	}
	rec := &answerRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		if !resourcePath.MatchString(req.URL.Path) {
			return nil
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxRecorded+1))
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) <= maxRecorded {
			auth := http.Header{}
			for _, h := range []string{"Authorization", "Cookie"} {
				if v := req.Header.Values(h); len(v) > 0 {
					auth[h] = v
				}
			}
			rec.mu.Lock()
			rec.calls = append(rec.calls, exchange{method: req.Method, path: req.URL.Path, rawQuery: req.URL.RawQuery,
				auth: auth, status: resp.StatusCode, header: resp.Header.Clone(), body: body})
			rec.mu.Unlock()
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// validate holds every recorded answer to the OpenAPI document its data source serves (fetched with the
// caller's credentials): status documented, content type documented, body valid against the schema
// (openapi3filter.ValidateResponse).
func (rec *answerRecorder) validate(t *testing.T, devHost string) {
	rec.mu.Lock()
	calls := rec.calls
	rec.mu.Unlock()
	if len(calls) == 0 {
		t.Fatal("the documented examples made no resource API call")
	}
	routers := map[string]routers.Router{} // by data source uid
	docs := map[string]*openapi3.T{}
	checked := map[string]int{}
	for _, c := range calls {
		uid := resourcePath.FindStringSubmatch(c.path)[1]
		router, ok := routers[uid]
		if !ok {
			doc, r := loadServedDocument(t, devHost, uid, c.auth)
			routers[uid], docs[uid], router = r, doc, r
		}
		where := fmt.Sprintf("%s %s?%s → %d", c.method, c.path, c.rawQuery, c.status)
		req := httptest.NewRequest(c.method, "http://relay.test"+routePath(docs[uid], c.path)+"?"+c.rawQuery, nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: no operation of the document matches: %v", where, err)
			continue
		}
		body := c.body
		if c.header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				t.Errorf("%s: gzip body: %v", where, err)
				continue
			}
		}
		opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			ExcludeResponseBody: c.method == http.MethodHead || c.status == http.StatusNotModified}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 c.status, Header: c.header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s: the answer does not match the document (operation %s): %v\n%.600s", where,
				route.Operation.OperationID, err, body)
		}
		checked[route.Operation.OperationID]++
	}
	ops := make([]string, 0, len(checked))
	for op, n := range checked {
		ops = append(ops, fmt.Sprintf("%s×%d", op, n))
	}
	sort.Strings(ops)
	t.Logf("%d answers checked against the served documents: %s", len(calls), strings.Join(ops, " "))
}

// routePath is the path the document's router matches: a proxied path's rest (several segments) is one
// {path} value in the document's templates, so it is escaped into one segment.
func routePath(doc *openapi3.T, path string) string {
	best := ""
	for p := range doc.Paths.Map() {
		prefix, ok := strings.CutSuffix(p, "{path}")
		full := doc.Servers[0].URL + prefix
		if ok && strings.HasPrefix(path, full) && len(full) > len(best) {
			best = full
		}
	}
	if best == "" {
		return path
	}
	return best + url.PathEscape(strings.TrimPrefix(path, best))
}

func loadServedDocument(t *testing.T, devHost, uid string, auth http.Header) (*openapi3.T, routers.Router) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, devHost+"/api/datasources/uid/"+uid+"/resources/openapi.json", nil)
	req.Header = auth.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json of %s: %d %s", uid, resp.StatusCode, raw)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("openapi.json of %s: %v", uid, err)
	}
	// The router matches the server URL, which is relative (the data source's resources on this Grafana).
	doc.Servers = openapi3.Servers{{URL: "http://relay.test" + doc.Servers[0].URL}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("openapi.json of %s: router: %v", uid, err)
	}
	doc.Servers[0].URL = strings.TrimPrefix(doc.Servers[0].URL, "http://relay.test")
	return doc, r
}
