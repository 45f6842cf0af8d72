package query_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
)

func runOne(t *testing.T, r runner, js string) backend.DataResponse {
	t.Helper()
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries:       []backend.DataQuery{query("A", js)}})
	return resp.Responses["A"]
}

func TestInvalidQueriesMakeNoUpstreamCall(t *testing.T) {
	var calls atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`[]`))
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	for _, js := range []string{
		`{"path":"/x","pipeline":{"steps":[{"type":"filter","expr":"a == \"$cat\""}]}}`,
		`{"path":"/x","params":{"since":"${__timeFilter}"}}`,
		`{"path":"/x","pagination":{"mode":"list","valueParam":"v","values":["a","$b"]}}`,
	} {
		dr := runOne(t, r, js)
		if dr.Error == nil || dr.Status != 400 {
			t.Errorf("%s: %+v", js, dr)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d upstream calls for queries that cannot be valid", calls.Load())
	}
}

// The frontend's expression-safe quoting (src/query/interpolate.ts) gives
// `"a\" || true || \""`: expr-lang reads it as one string.
func TestQuotedVariableStaysOneString(t *testing.T) {
	r := newRunner(t, "http://127.0.0.1:1", `{}`)
	dr := runOne(t, r, `{"data":[{"c":"books"},{"c":"a\" || true || \""}],
		"pipeline":{"steps":[{"type":"filter","expr":"c == \"a\\\" || true || \\\"\""}]}}`)
	if dr.Error != nil || len(dr.Frames) != 1 {
		t.Fatalf("%+v", dr)
	}
	if n, _ := dr.Frames[0].RowLen(); n != 1 {
		t.Errorf("%d rows kept; the value must match only itself", n)
	}
}

func TestGraphQLErrorsAreScrubbed(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[{"message":"bad token %s","path":["items"]},{"message":"two"}]}`, r.Header.Get("Authorization"))
	}))
	defer up.Close()
	// A GraphQL query is a POST: the proxy rules must allow it.
	r := newRunnerWith(t, plugintest.Config{UID: "q", URL: up.URL, JSONData: `{"auth":{"type":"bearer"},"network":{"allowPrivateNetworks":true},
		"proxy":{"rules":[{"path":"/","methods":["POST"],"minRole":"Viewer"}]}}`,
		Secure: map[string]string{"bearerToken": "s3cret-token"}})
	dr := runOne(t, r, `{"graphql":{"query":"{ items { id } }"}}`)
	if strings.Contains(dr.Error.Error(), "s3cret-token") {
		t.Fatalf("secret in the error: %v", dr.Error)
	}
	if dr.Error == nil || !strings.Contains(dr.Error.Error(), "answered 2 error(s)") || !strings.Contains(dr.Error.Error(), `(path ["items"])`) ||
		dr.ErrorSource != backend.ErrorSourceDownstream {
		t.Fatalf("%+v", dr)
	}
}

func TestListOfValuesIsBoundedAndOrdered(t *testing.T) {
	var inFlight, peak atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
		v := r.URL.Query().Get("v")
		if r.Header.Get("X-V") != "" {
			v = r.Header.Get("X-V")
		}
		fmt.Fprintf(w, `[{"n":%d,"value":"theirs"}]`, len(v))
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	values := make([]string, 20)
	for i := range values {
		values[i] = strings.Repeat("x", i+1)
	}
	list := `"` + strings.Join(values, `","`) + `"`
	for _, in := range []string{"query", "header"} {
		peak.Store(0)
		name := map[string]string{"query": "v", "header": "X-V"}[in]
		dr := runOne(t, r, `{"path":"/v","pagination":{"mode":"list","in":"`+in+`","valueParam":"`+name+`","concurrency":3,"values":[`+list+`]}}`)
		if dr.Error != nil {
			t.Fatal(dr.Error)
		}
		f := dr.Frames[0]
		vf, _ := f.FieldByName("value")
		nf, _ := f.FieldByName("n")
		if vf.Len() != 20 {
			t.Fatalf("%d rows", vf.Len())
		}
		for i := 0; i < 20; i++ {
			v, _ := vf.ConcreteAt(i)
			n, _ := nf.ConcreteAt(i)
			if v != values[i] || n != float64(i+1) {
				t.Errorf("%s row %d: value %v n %v (the value column wins over the row's own, in the values' order)", in, i, v, n)
			}
		}
		if p := peak.Load(); p > 3 || p < 2 {
			t.Errorf("%s: peak concurrency %d, want at most 3 (and some parallelism)", in, p)
		}
	}
}

func TestCSVPagesJoinWithOneHeaderAndStopAtLimits(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "text/csv")
		fmt.Fprintf(w, "id;name\n%d;\"a;%d\"\n%d;b\n", p*2, p, p*2+1)
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	dr := runOne(t, r, `{"path":"/csv","pagination":{"mode":"page","pageSize":2,"maxPages":3},
		"pipeline":{"format":"auto","csv":{"delimiter":";"}}}`)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f := dr.Frames[0]
	if n, _ := f.RowLen(); n != 6 || len(f.Fields) != 2 {
		t.Fatalf("%d rows %d fields", n, len(f.Fields))
	}
	if v, _ := f.Fields[1].ConcreteAt(2); v != "a;2" {
		t.Errorf("quoted cell %v", v)
	}
	if len(f.Meta.Notices) == 0 || !strings.Contains(f.Meta.Notices[0].Text, "stopped after 3 pages") {
		t.Errorf("notice: %+v", f.Meta)
	}
	// The rows limit stops paging early with a notice (not a failure).
	r = newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true},"transform":{"maxRows":3},"query":{"maxPages":10}}`)
	dr = runOne(t, r, `{"path":"/csv","pagination":{"mode":"page","pageSize":2,"maxPages":10},"pipeline":{"format":"csv","csv":{"delimiter":";"}}}`)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	if n, _ := dr.Frames[0].RowLen(); n != 3 || !strings.Contains(dr.Frames[0].Meta.Notices[0].Text, "transform.maxRows") {
		t.Errorf("%d rows, %+v", n, dr.Frames[0].Meta.Notices)
	}
}

func TestNDJSONPagesAndTheBytesBound(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "application/x-ndjson")
		if p < 3 {
			w.Header().Set("X-Next", strconv.Itoa(p+1))
		}
		fmt.Fprintf(w, "{\"e\":{\"id\":%d}}\nnot json\n{\"e\":{\"id\":%d}}\n", p*2, p*2+1)
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	dr := runOne(t, r, `{"path":"/nd","pagination":{"mode":"cursor","cursorParam":"page","cursorHeader":"X-Next"},
		"pipeline":{"format":"ndjson","root":"e"}}`)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f := dr.Frames[0]
	id, _ := f.FieldByName("id")
	if id == nil || id.Len() != 8 {
		t.Fatalf("%+v", f)
	}
	if v, _ := id.ConcreteAt(7); v != float64(7) {
		t.Errorf("last id %v", v)
	}
	if len(f.Meta.Notices) == 0 || !strings.Contains(f.Meta.Notices[0].Text, "skipped 4 invalid NDJSON lines") {
		t.Errorf("skipped lines not noticed: %+v", f.Meta.Notices)
	}
	// The joined rows are bounded by transform.maxInputBytes: paging stops with a notice.
	r = newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true},"transform":{"maxInputBytes":60}}`)
	dr = runOne(t, r, `{"path":"/nd","pagination":{"mode":"cursor","cursorParam":"page","cursorHeader":"X-Next"},
		"pipeline":{"format":"ndjson","root":"e"}}`)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	if n, _ := dr.Frames[0].RowLen(); n >= 8 || !strings.Contains(fmt.Sprint(dr.Frames[0].Meta.Notices), "stopped after 1 pages: the next page would take the pages past transform.maxInputBytes") {
		t.Errorf("%d rows, %+v", n, dr.Frames[0].Meta.Notices)
	}
}

// The engine reads every page in its format: XML and HTML pages, and JSON
// pages under a jq root, paginate like JSON; pages of another format than
// the first (auto) are the upstream's error, never a wrong frame.
func TestPaginationReadsEveryFormat(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		switch {
		case p > 3:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items":[]}`))
		case r.URL.Path == "/xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<items><item><id>%d</id></item></items>`, p)
		case r.URL.Path == "/html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<table><tr><th>id</th></tr><tr><td>%d</td></tr></table>`, p)
		case r.URL.Path == "/json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[{"id":%d,"on":true},{"id":0,"on":false}]}`, p)
		case r.URL.Path == "/mixed" && p == 2:
			w.Header().Set("Content-Type", "text/csv")
			_, _ = w.Write([]byte("id\n2\n"))
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[{"id":%d}]}`, p)
		}
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	for _, js := range []string{
		`{"path":"/xml","pagination":{"mode":"page","maxPages":3},"pipeline":{"format":"xml","root":"//item"}}`,
		`{"path":"/html","pagination":{"mode":"page","maxPages":3},"pipeline":{"format":"html"}}`,
		`{"path":"/json","pagination":{"mode":"page","maxPages":3},"pipeline":{"rootSyntax":"jq","root":".items[] | select(.on) | {id}"}}`,
	} {
		dr := runOne(t, r, js)
		if dr.Error != nil {
			t.Fatalf("%s: %v", js, dr.Error)
		}
		id, _ := dr.Frames[0].FieldByName("id")
		if id == nil || id.Len() != 3 {
			t.Fatalf("%s: %+v", js, dr.Frames[0])
		}
		for i := 0; i < 3; i++ {
			if v, _ := id.ConcreteAt(i); v != float64(i+1) {
				t.Errorf("%s: row %d id %v", js, i, v)
			}
		}
	}
	dr := runOne(t, r, `{"path":"/mixed","pagination":{"mode":"page"},"pipeline":{"format":"auto","root":"items"}}`)
	if dr.Error == nil || dr.ErrorSource != backend.ErrorSourceDownstream || !strings.Contains(dr.Error.Error(), "page 2 is csv, the first page was json") {
		t.Fatalf("a page of another format: %+v", dr)
	}
}
