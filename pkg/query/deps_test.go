package query_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// frameRows renders a frame's rows as "field=value" lists, for comparison.
func frameRows(f *data.Frame) []string {
	var out []string
	for i := 0; i < f.Rows(); i++ {
		var cells []string
		for _, fl := range f.Fields {
			v, ok := fl.ConcreteAt(i)
			s := fmt.Sprint(v)
			if !ok {
				s = "null"
			}
			cells = append(cells, fl.Name+"="+s)
		}
		out = append(out, strings.Join(cells, " "))
	}
	return out
}

func TestJoinAcrossQueriesOfOneRequest(t *testing.T) {
	r := newRunner(t, "http://127.0.0.1:1", `{}`)
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries: []backend.DataQuery{
			// A reads B, which comes later in the request: B runs first.
			query("A", `{"data":[{"host":"a","dc":"eu"},{"host":"b","dc":"us"}],
				"pipeline":{"steps":[{"type":"join","query":"B","on":["host"],"how":"left"},{"type":"append","query":"C"}]}}`),
			query("B", `{"data":[{"host":"a","cpu":1},{"host":"a","cpu":3}]}`),
			query("C", `{"data":[{"host":"z","cpu":9}]}`),
		},
	})
	a := resp.Responses["A"]
	if a.Error != nil {
		t.Fatal(a.Error)
	}
	want := []string{"host=a dc=eu cpu=1", "host=a dc=eu cpu=3", "host=b dc=us cpu=null", "host=z dc=null cpu=9"}
	if got := frameRows(a.Frames[0]); !slices.Equal(got, want) {
		t.Fatalf("rows %q", got)
	}
	if a.Frames[0].RefID != "A" || resp.Responses["B"].Frames[0].Rows() != 2 {
		t.Fatalf("B answers too: %+v", resp.Responses["B"])
	}
}

// countingUpstream answers every call with body and counts the calls.
func countingUpstream(t *testing.T, body string) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(up.Close)
	return up, &n
}

func TestDependencyErrorsComeBeforeAnyCall(t *testing.T) {
	up, calls := countingUpstream(t, `[{"k":1}]`)
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	for name, c := range map[string]struct {
		queries []backend.DataQuery
		msg     string
	}{
		"cycle": {[]backend.DataQuery{
			query("A", `{"path":"/a","pipeline":{"steps":[{"type":"join","query":"B","on":["k"]}]}}`),
			query("B", `{"path":"/b","pipeline":{"steps":[{"type":"append","query":"C"}]}}`),
			query("C", `{"path":"/c{{k}}","forEach":{"query":"A","field":"k"}}`),
		}, "queries read each other in a cycle: A → B → C → A"},
		"itself": {[]backend.DataQuery{
			query("A", `{"path":"/a","pipeline":{"steps":[{"type":"append","query":"A"}]}}`),
		}, "cycle: A → A"},
		"missing": {[]backend.DataQuery{
			query("A", `{"path":"/a","pipeline":{"steps":[{"type":"join","query":"Z","on":["k"]}]}}`),
			query("B", `{"path":"/b"}`),
		}, `query A reads query "Z", which is not in this request (its queries: A, B)`},
	} {
		t.Run(name, func(t *testing.T) {
			resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
				PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}}, Queries: c.queries})
			for _, q := range c.queries {
				dr := resp.Responses[q.RefID]
				if dr.Error == nil || dr.Status != backend.StatusBadRequest || !strings.Contains(dr.Error.Error(), c.msg) {
					t.Fatalf("%s: %v (%d)", q.RefID, dr.Error, dr.Status)
				}
			}
		})
	}
	if calls.Load() != 0 {
		t.Fatalf("%d upstream calls", calls.Load())
	}
}

func TestFailedInputFailsItsReaders(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true}}`)
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries: []backend.DataQuery{
			query("A", `{"data":[{"k":1}],"pipeline":{"steps":[{"type":"join","query":"B","on":["k"]}]}}`),
			query("B", `{"path":"/b"}`),
			query("C", `{"data":[{"k":1}],"pipeline":{"steps":[{"type":"append","query":"A"}]}}`),
		},
	})
	b, a, c := resp.Responses["B"], resp.Responses["A"], resp.Responses["C"]
	if b.Error == nil || a.Error == nil || c.Error == nil {
		t.Fatalf("A %v, B %v, C %v", a.Error, b.Error, c.Error)
	}
	if !strings.Contains(a.Error.Error(), "query A reads query B, which failed: ") || a.Status != b.Status || a.ErrorSource != b.ErrorSource {
		t.Fatalf("A: %v %d %s (B %d %s)", a.Error, a.Status, a.ErrorSource, b.Status, b.ErrorSource)
	}
	if !strings.Contains(c.Error.Error(), "query C reads query A, which failed") {
		t.Fatalf("C: %v", c.Error)
	}
}

func TestHiddenInputRunsButIsNotAnswered(t *testing.T) {
	up, calls := countingUpstream(t, `[]`)
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true},"query":{"concurrency":1}}`)
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries: []backend.DataQuery{
			// A chain with one turn at a time: waiting never holds the turn.
			query("A", `{"data":[{"k":1}],"pipeline":{"steps":[{"type":"append","query":"B"}]}}`),
			query("B", `{"hide":true,"data":[{"k":2}],"pipeline":{"steps":[{"type":"append","query":"C"}]}}`),
			query("C", `{"hide":true,"data":[{"k":3}]}`),
			query("D", `{"hide":true,"path":"/d"}`), // hidden, read by none: not run
		},
	})
	if calls.Load() != 0 || len(resp.Responses) != 1 {
		t.Fatalf("%d calls, %d answers", calls.Load(), len(resp.Responses))
	}
	if _, ok := resp.Responses["B"]; ok {
		t.Fatal("a hidden query is answered")
	}
	if got := frameRows(resp.Responses["A"].Frames[0]); !slices.Equal(got, []string{"k=1", "k=2", "k=3"}) {
		t.Fatalf("rows %q", got)
	}
}

func TestForEachCallsOncePerDistinctValue(t *testing.T) {
	var mu sync.Mutex
	var paths, bodies []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		bodies = append(bodies, string(b))
		mu.Unlock()
		id := strings.TrimPrefix(r.URL.Path, "/items/")
		_, _ = io.WriteString(w, `{"item":{"id":"ignored","name":"n-`+strings.ReplaceAll(id, `"`, ``)+`"}}`)
	}))
	defer up.Close()
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true},"proxy":{"rules":[{"path":"/items/*","methods":["GET","POST"],"minRole":"Viewer"}]}}`)
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries: []backend.DataQuery{
			query("L", `{"data":[{"id":1},{"id":2.0},{"id":1},{"id":null},{"id":30}]}`),
			query("D", `{"method":"POST","path":"/items/{{id}}","params":{"q":"{{id}}"},"body":"{\"id\":\"{{id}}\"}",
				"forEach":{"query":"L","field":"id"},"pipeline":{"root":"item"}}`),
		},
	})
	d := resp.Responses["D"]
	if d.Error != nil {
		t.Fatal(d.Error)
	}
	// Three distinct values (2.0 as 2; null skipped): three calls, in any order; rows in value order,
	// the value in a column named after the field, replacing the answer's own.
	want := []string{"id=1 name=n-1", "id=2 name=n-2", "id=30 name=n-30"}
	if got := frameRows(d.Frames[0]); !slices.Equal(got, want) {
		t.Fatalf("rows %q", got)
	}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{"/items/1?q=1", "/items/2?q=2", "/items/30?q=30"}) {
		t.Fatalf("paths %q", paths)
	}
	slices.Sort(bodies)
	if !slices.Equal(bodies, []string{`{"id":"1"}`, `{"id":"2"}`, `{"id":"30"}`}) {
		t.Fatalf("bodies %q", bodies)
	}
}

func TestForEachBounds(t *testing.T) {
	up, calls := countingUpstream(t, `{"ok":true}`)
	r := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true},"query":{"maxForEach":3,"maxCallsPerRequest":4}}`)
	run := func(foreach string) backend.DataResponse {
		return r.QueryData(context.Background(), &backend.QueryDataRequest{
			PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
			Queries: []backend.DataQuery{
				query("L", `{"data":[{"id":1},{"id":2},{"id":3},{"id":4},{"id":5}]}`),
				query("D", `{"path":"/x/{{id}}","forEach":`+foreach+`}`),
			},
		}).Responses["D"]
	}
	// max above the setting: the setting's 3, with a notice.
	d := run(`{"query":"L","field":"id","max":10}`)
	if d.Error != nil || d.Frames[0].Rows() != 3 || calls.Load() != 3 {
		t.Fatalf("%v rows, %d calls", d.Error, calls.Load())
	}
	if n := d.Frames[0].Meta.Notices; len(n) == 0 || !strings.Contains(n[len(n)-1].Text, "the first 3 of 5 values of L.id") {
		t.Fatalf("notices %+v", n)
	}
	calls.Store(0)
	if d := run(`{"query":"L","field":"id","max":2}`); d.Error != nil || d.Frames[0].Rows() != 2 || calls.Load() != 2 {
		t.Fatalf("%v, %d calls", d.Error, calls.Load())
	}
	// The request's call budget counts every value's call.
	r2 := newRunner(t, up.URL, `{"network":{"allowPrivateNetworks":true},"query":{"maxCallsPerRequest":2}}`)
	d = r2.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries: []backend.DataQuery{
			query("L", `{"data":[{"id":1},{"id":2},{"id":3}]}`),
			query("D", `{"path":"/x/{{id}}","forEach":{"query":"L","field":"id"}}`),
		},
	}).Responses["D"]
	if d.Error == nil || d.Status != backend.StatusTooManyRequests || !strings.Contains(d.Error.Error(), "forEach id=") {
		t.Fatalf("%v %d", d.Error, d.Status)
	}
	// Mistakes.
	for js, msg := range map[string]string{
		`{"path":"/x","forEach":{"query":"L","field":"id"}}`:                                       "{{id}} appears nowhere",
		`{"path":"/x/{{nope}}","forEach":{"query":"L","field":"nope"}}`:                            `forEach.field: query "L" has no field "nope" (fields: id)`,
		`{"path":"/x/{{id}}","forEach":{"field":"id"}}`:                                            "forEach.query: required",
		`{"data":[],"forEach":{"query":"L","field":"id"}}`:                                         "inline data makes no calls",
		`{"path":"/x/{{id}}","forEach":{"query":"L","field":"id"},"pagination":{"mode":"offset"}}`: "not both",
	} {
		d := r.QueryData(context.Background(), &backend.QueryDataRequest{
			PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
			Queries:       []backend.DataQuery{query("L", `{"data":[{"id":1}]}`), query("D", js)},
		}).Responses["D"]
		if d.Error == nil || d.Status != backend.StatusBadRequest || !strings.Contains(d.Error.Error(), msg) {
			t.Errorf("%s: %v %d", js, d.Error, d.Status)
		}
	}
}
