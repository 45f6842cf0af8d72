package blackbox

import (
	"fmt"
	"strings"
	"testing"
)

// Issue 23 §4: the engine reads each page in its format, so XML and HTML
// pages and jq roots over JSON pages paginate like JSON; a paged query's
// cached pages are read again on a hit.
func TestQueriesPaginateEveryFormat(t *testing.T) {
	s := start(t, "")
	ids := func(name string, q map[string]any, want int) queryResponse {
		t.Helper()
		status, out, body := runQuery(t, s, q)
		if status != 200 {
			t.Fatalf("%s: %d %.400s", name, status, body)
		}
		got := column(t, out, "id")
		seen := map[string]bool{}
		for _, id := range got {
			seen[fmt.Sprint(id)] = true
		}
		if len(got) != want || len(seen) != want || fmt.Sprint(got[0]) != "1" {
			t.Errorf("%s: %d rows, %d distinct ids, first %v; want %d from 1", name, len(got), len(seen), got[0], want)
		}
		return out
	}
	ids("xml, page mode", map[string]any{"path": "/api/pages.xml",
		"pagination": map[string]any{"mode": "page", "pageSize": 30},
		"pipeline": map[string]any{"format": "xml", "root": "//item",
			"columns": []any{map[string]any{"name": "id", "selector": "@id", "type": "number"}, map[string]any{"name": "name"}}}}, 100)
	ids("html, link mode", map[string]any{"path": "/api/pages.html", "params": map[string]any{"per_page": "40"},
		"pagination": map[string]any{"mode": "link"}, "pipeline": map[string]any{"format": "html", "root": "table#items tr"}}, 100)
	ids("html, offset mode, auto", map[string]any{"path": "/api/pages.html",
		"pagination": map[string]any{"mode": "offset", "pageSize": 25}, "pipeline": map[string]any{"format": "auto"}}, 100)
	out := ids("jq root over json pages", map[string]any{"path": "/api/items", "params": map[string]any{"style": "cursor"},
		"pagination": map[string]any{"mode": "cursor", "cursorPath": "next_cursor"},
		"pipeline":   map[string]any{"rootSyntax": "jq", "root": ".items[] | {id, name, expensive: (.price > 100)}"}}, 250)
	if e := column(t, out, "expensive"); e[0] == nil {
		t.Errorf("jq root's computed field: %v", e[:3])
	}

	// A cached paged query: the hit reads the stored pages again.
	q := func() map[string]any {
		return map[string]any{"path": "/api/pages.xml", "cacheTTL": "1m",
			"pagination": map[string]any{"mode": "page", "pageSize": 50},
			"pipeline":   map[string]any{"format": "xml", "root": "//item", "columns": []any{map[string]any{"name": "id", "selector": "@id", "type": "number"}}}}
	}
	ids("cached, miss", q(), 100)
	out = ids("cached, hit", q(), 100)
	notices := out.Results["A"].Frames[0].Schema.Meta.Notices
	if len(notices) == 0 || !strings.Contains(notices[len(notices)-1].Text, "served from Relay's query cache") {
		t.Errorf("the second query was not a cache hit: %+v", notices)
	}
}
