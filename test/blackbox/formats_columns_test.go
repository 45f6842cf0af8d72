package blackbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 14: the column types int64, uint64, duration, enum and time zones through a real query (QueryData), with
// a jq root, against the demo API's items and catalogue.
func TestFormatsColumnTypesQuery(t *testing.T) {
	s := start(t, "")
	do := func(method, path, user string, body any, headers map[string]string) ([]byte, int) {
		resp, b := s.Do(method, path, user, body, headers)
		return b, resp.StatusCode
	}
	r := runFormatQuery(t, do, "/api/items", map[string]any{"root": "items", "columns": []any{
		map[string]any{"name": "id", "type": "int64"},
		map[string]any{"name": "big", "selector": "id", "type": "uint64"},
		map[string]any{"name": "category", "type": "enum", "enum": map[string]any{"books": 1, "toys": 2}},
		map[string]any{"name": "created_at", "type": "time", "timezone": "America/New_York"},
	}, "steps": []any{map[string]any{"type": "limit", "count": 3}}})
	if r.Error != "" || len(r.Values) != 4 || len(r.Values[0]) != 3 {
		t.Fatalf("items: %+v", r)
	}
	want := []string{"int64", "uint64", "float64", "time.Time"}
	for i, w := range want {
		if r.Types[i] != w {
			t.Errorf("field %s: type %s, want %s", r.Fields[i], r.Types[i], w)
		}
	}
	if r.Values[0][0].(json.Number).String() != "1" || r.Values[1][2].(json.Number).String() != "3" {
		t.Errorf("ids %v %v", r.Values[0], r.Values[1])
	}
	// Items 1–3 are books, electronics, garden: only books is mapped. created_at has an offset (Z): the zone does not apply.
	if got := []any{r.Values[2][0], r.Values[2][1], r.Values[2][2]}; got[0] != json.Number("1") || got[1] != nil || got[2] != nil {
		t.Errorf("enum %v", got)
	}
	if r.Values[3][0] != json.Number("1704067200000") {
		t.Errorf("created_at %v", r.Values[3][0])
	}

	// A jq root makes rows with a duration and an offset-less time, read with a zone.
	r = runFormatQuery(t, do, "/api/items", map[string]any{"rootSyntax": "jq",
		"root": `.items[0:2][] | {id, took: "1m30s", at: "2024-07-01 12:00"}`, "columns": []any{
			map[string]any{"name": "id", "type": "int64"},
			map[string]any{"name": "took", "type": "duration"},
			map[string]any{"name": "at", "timeFormat": "2006-01-02 15:04", "timezone": "Europe/Paris"}}})
	if r.Error != "" || len(r.Values) != 3 || len(r.Values[0]) != 2 {
		t.Fatalf("jq root: %+v", r)
	}
	if r.Values[1][0] != json.Number("90000") || r.Values[2][0] != json.Number("1719828000000") {
		t.Errorf("took %v at %v (want 90000 ms and 2024-07-01T10:00:00Z)", r.Values[1][0], r.Values[2][0])
	}

	// Bad column options are 400 with the field's path.
	r = runFormatQuery(t, do, "/api/items", map[string]any{"root": "items", "columns": []any{
		map[string]any{"name": "t", "type": "time", "timezone": "Mars/Base"}}})
	if r.Status != 400 || !strings.Contains(r.Error, "columns[0].timezone") {
		t.Errorf("bad zone: %d %s", r.Status, r.Error)
	}
}
