package blackbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// runQueries sends several queries in one QueryData request, as a panel does.
func runQueries(t *testing.T, s *harness.Stack, queries ...map[string]any) (int, queryResponse, []byte) {
	t.Helper()
	qs := make([]any, len(queries))
	for i, q := range queries {
		q["datasource"] = map[string]any{"uid": uid}
		qs[i] = q
	}
	resp, body := s.Do("POST", "/api/ds/query", "viewer",
		map[string]any{"from": "1700000000123", "to": "1700003600123", "queries": qs}, nil)
	var out queryResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	return resp.StatusCode, out, body
}

// fieldOf returns the values of a field of refId's first frame.
func fieldOf(t *testing.T, out queryResponse, ref, name string) []any {
	t.Helper()
	fr := out.Results[ref].Frames
	if len(fr) == 0 {
		t.Fatalf("%s: no frames: %+v", ref, out.Results[ref])
	}
	for i, f := range fr[0].Schema.Fields {
		if f.Name == name {
			return fr[0].Data.Values[i]
		}
	}
	t.Fatalf("%s: no field %q in %+v", ref, name, fr[0].Schema.Fields)
	return nil
}

// Issue 27 §3: joins and dependent requests run in the backend, so alert
// rules can use them.
func TestQueryJoinsAndForEach(t *testing.T) {
	s := start(t, "")

	// Two queries of one request joined: the items of the demo API (upstream) with an inline table of
	// categories; the joined query reads B, which runs first, and B still answers.
	status, out, body := runQueries(t, s,
		map[string]any{"refId": "A", "path": "/api/items", "params": map[string]any{"limit": "5"},
			"pipeline": map[string]any{"root": "items", "steps": []any{
				map[string]any{"type": "join", "query": "B", "on": []any{"category"}, "how": "left"},
				map[string]any{"type": "select", "fields": []any{"id", "category", "owner"}}}}},
		map[string]any{"refId": "B", "data": []any{
			map[string]any{"category": "tools", "owner": "ops"}, map[string]any{"category": "toys", "owner": "kids"}}})
	if status != http.StatusOK || out.Results["A"].Error != "" || out.Results["B"].Error != "" {
		t.Fatalf("%d %.600s", status, body)
	}
	ids, cats, owners := fieldOf(t, out, "A", "id"), fieldOf(t, out, "A", "category"), fieldOf(t, out, "A", "owner")
	if len(ids) != 5 {
		t.Fatalf("%d rows", len(ids))
	}
	for i := range ids {
		want := map[any]any{"tools": "ops", "toys": "kids"}[cats[i]]
		if owners[i] != want {
			t.Errorf("row %d: category %v owner %v, want %v", i, cats[i], owners[i], want)
		}
	}

	// forEach: the list, then one detail call per distinct id, counted at the demo API.
	before := make(map[string]int)
	for _, id := range []string{"1", "2", "3"} {
		before[id] = demoCount(t, s, "/api/items/"+id)
	}
	listBefore := demoCount(t, s, "/api/items")
	status, out, body = runQueries(t, s,
		map[string]any{"refId": "L", "hide": true, "path": "/api/items", "params": map[string]any{"limit": "3"},
			"pipeline": map[string]any{"root": "items", "steps": []any{
				map[string]any{"type": "compute", "name": "id2", "expr": "id"}, // the ids, repeated: distinct values only
				map[string]any{"type": "select", "fields": []any{"id"}}}}},
		map[string]any{"refId": "D", "path": "/api/items/{{id}}", "forEach": map[string]any{"query": "L", "field": "id"},
			"pipeline": map[string]any{"columns": []any{map[string]any{"name": "id", "type": "string"}, map[string]any{"name": "name"}}}})
	if status != http.StatusOK || out.Results["D"].Error != "" {
		t.Fatalf("%d %.600s", status, body)
	}
	if _, answered := out.Results["L"]; answered {
		t.Errorf("the hidden list query answered: %+v", out.Results["L"])
	}
	if got := fieldOf(t, out, "D", "id"); fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("forEach rows' ids %v", got)
	}
	if names := fieldOf(t, out, "D", "name"); len(names) != 3 || names[0] == nil {
		t.Errorf("names %v", names)
	}
	for _, id := range []string{"1", "2", "3"} {
		if n := demoCount(t, s, "/api/items/"+id) - before[id]; n != 1 {
			t.Errorf("/api/items/%s called %d times", id, n)
		}
	}
	if n := demoCount(t, s, "/api/items") - listBefore; n != 1 {
		t.Errorf("the list was called %d times", n)
	}

	// A cycle is a 400 naming it, before any call.
	listBefore = demoCount(t, s, "/api/items")
	status, out, body = runQueries(t, s,
		map[string]any{"refId": "A", "path": "/api/items", "pipeline": map[string]any{"root": "items",
			"steps": []any{map[string]any{"type": "append", "query": "B"}}}},
		map[string]any{"refId": "B", "path": "/api/items/{{id}}", "forEach": map[string]any{"query": "A", "field": "id"}})
	for _, ref := range []string{"A", "B"} {
		r := out.Results[ref]
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Error, "queries read each other in a cycle: A → B → A") {
			t.Errorf("%s: %d %q (%d %.300s)", ref, r.Status, r.Error, status, body)
		}
	}
	if n := demoCount(t, s, "/api/items") - listBefore; n != 0 {
		t.Errorf("%d calls despite the cycle", n)
	}

	// /transform with an inline input: a join against an inline data source.
	resp, tb := s.Do("POST", "/api/datasources/uid/"+uid+"/resources/transform", "viewer", map[string]any{
		"data":     []any{map[string]any{"host": "a", "cpu": 1}, map[string]any{"host": "b", "cpu": 2}},
		"inputs":   map[string]any{"hosts": map[string]any{"data": []any{map[string]any{"host": "b", "dc": "eu"}}}},
		"pipeline": map[string]any{"steps": []any{map[string]any{"type": "join", "query": "hosts", "on": []any{"host"}}}},
	}, nil)
	var tr struct {
		Rows   int
		Frames []struct {
			Data struct{ Values [][]any }
		}
	}
	if err := json.Unmarshal(tb, &tr); err != nil || resp.StatusCode != 200 || tr.Rows != 1 {
		t.Fatalf("%d %.400s", resp.StatusCode, tb)
	}
	// Fields: the data's (cpu, host: its keys in JSON order), then the input's dc.
	if got := tr.Frames[0].Data.Values; !slices.Equal([]any{got[0][0], got[1][0], got[2][0]}, []any{2.0, "b", "eu"}) {
		t.Errorf("joined row %v", got)
	}

	// An input with a source: the upstream's rows under the caller's grant, appended to the inline data.
	resp, tb = s.Do("POST", "/api/datasources/uid/"+uid+"/resources/transform", "viewer", map[string]any{
		"data": []any{map[string]any{"id": "inline"}},
		"inputs": map[string]any{"items": map[string]any{
			"source":   map[string]any{"path": "/api/items", "params": map[string]any{"limit": "3"}},
			"pipeline": map[string]any{"root": "items", "steps": []any{map[string]any{"type": "select", "fields": []any{"id"}}}}}},
		"pipeline": map[string]any{"steps": []any{map[string]any{"type": "append", "query": "items"}}},
	}, nil)
	if err := json.Unmarshal(tb, &tr); err != nil || resp.StatusCode != 200 || tr.Rows != 4 {
		t.Fatalf("source input: %d %.400s", resp.StatusCode, tb)
	}
	if got := tr.Frames[0].Data.Values[0]; got[0] != "inline" || got[1] == nil || got[1] == "" {
		t.Errorf("appended ids %v", got)
	}
}
