package blackbox

import (
	"encoding/json"
	"strings"
	"testing"
)

type queryResponse struct {
	Results map[string]struct {
		Status      int    `json:"status"`
		Error       string `json:"error"`
		ErrorSource string `json:"errorSource"`
		Frames      []struct {
			Schema struct {
				RefID  string `json:"refId"`
				Fields []struct {
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"fields"`
				Meta struct {
					Notices []struct{ Text string } `json:"notices"`
				} `json:"meta"`
			} `json:"schema"`
			Data struct {
				Values [][]any `json:"values"`
			} `json:"data"`
		} `json:"frames"`
	} `json:"results"`
}

func TestQueryPaginationStyles(t *testing.T) {
	s := start(t, "")
	styles := map[string]map[string]any{
		"offset": {"mode": "offset", "pageSize": 60},
		"page":   {"mode": "page", "pageSize": 40},
		"cursor": {"mode": "cursor", "cursorPath": "next_cursor"},
		"link":   {"mode": "link", "nextPath": "next"},
	}
	for name, p := range styles {
		q := map[string]any{"refId": "A", "datasource": map[string]any{"uid": uid}, "path": "/api/items",
			"params": map[string]any{"style": name}, "pagination": p,
			"pipeline": map[string]any{"root": "items", "columns": []any{
				map[string]any{"name": "id", "selector": "id", "type": "number"}}}}
		resp, body := s.Do("POST", "/api/ds/query", "viewer", map[string]any{"from": "now-1h", "to": "now", "queries": []any{q}}, nil)
		var out queryResponse
		if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %.300s", name, resp.StatusCode, body)
		}
		fr := out.Results["A"].Frames
		if len(fr) != 1 || len(fr[0].Data.Values) != 1 {
			t.Fatalf("%s: frames %.300s", name, body)
		}
		ids := fr[0].Data.Values[0]
		seen := map[float64]bool{}
		for _, v := range ids {
			seen[v.(float64)] = true
		}
		if len(ids) != 250 || len(seen) != 250 {
			t.Errorf("%s: %d rows, %d distinct ids, want all 250 once", name, len(ids), len(seen))
		}
	}
}

func TestQueryMaxPagesAndErrors(t *testing.T) {
	s := start(t, `{"query":{"maxPages":2}}`)
	queries := []any{
		map[string]any{"refId": "A", "datasource": map[string]any{"uid": uid}, "path": "/api/items",
			"pagination": map[string]any{"mode": "offset", "pageSize": 10}, "pipeline": map[string]any{"root": "items"}},
		map[string]any{"refId": "B", "datasource": map[string]any{"uid": uid}, "path": "/status/503"},
		map[string]any{"refId": "C", "datasource": map[string]any{"uid": uid}, "path": "/api/items",
			"pipeline": map[string]any{"steps": []any{map[string]any{"type": "sort"}}}},
	}
	resp, body := s.Do("POST", "/api/ds/query", "viewer", map[string]any{"from": "now-1h", "to": "now", "queries": queries}, nil)
	var out queryResponse
	_ = json.Unmarshal(body, &out)
	if resp.StatusCode != 400 {
		t.Fatalf("a failed query must make the request 400: %d", resp.StatusCode)
	}
	a := out.Results["A"]
	if len(a.Frames) != 1 || len(a.Frames[0].Data.Values[0]) != 20 || len(a.Frames[0].Schema.Meta.Notices) == 0 {
		t.Errorf("A: maxPages not applied or not noticed: %.400s", body)
	}
	if b := out.Results["B"]; b.ErrorSource != "downstream" || !strings.Contains(b.Error, "503") {
		t.Errorf("B: %+v", b)
	}
	if c := out.Results["C"]; c.ErrorSource != "plugin" || !strings.Contains(c.Error, "steps[0]") {
		t.Errorf("C: %+v", c)
	}
}

func TestQueryObeysProxyRules(t *testing.T) {
	s := start(t, `{"proxy":{"rules":[{"path":"/api/","methods":["GET"]},{"path":"/api/echo/","methods":["POST"],"minRole":"Editor"}]}}`)
	q := func(path, method string) []any {
		return []any{map[string]any{"refId": "A", "datasource": map[string]any{"uid": uid}, "path": path, "method": method}}
	}
	_, body := s.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": q("/health", "GET")}, nil)
	if !strings.Contains(string(body), "no proxy rule covers /health") {
		t.Errorf("uncovered path queried: %s", body)
	}
	_, body = s.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": q("/api/echo/x", "POST")}, nil)
	if !strings.Contains(string(body), "requires the Editor role") {
		t.Errorf("viewer POST query: %s", body)
	}
	resp, body := s.Do("POST", "/api/ds/query", "editor", map[string]any{"queries": q("/api/echo/x", "POST")}, nil)
	if resp.StatusCode != 200 {
		t.Errorf("editor POST query: %d %s", resp.StatusCode, body)
	}
}

func TestTransformAndSchema(t *testing.T) {
	s := start(t, "")
	csv := "host,cpu,up\nweb-1,0.5,true\nweb-2,,false\n"
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"data": csv, "pipeline": map[string]any{"format": "csv",
		"steps": []any{map[string]any{"type": "filter", "expr": "up"}}}}, map[string]string{"Accept": "text/csv"})
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "host,cpu,up\nweb-1,0.5,true" {
		t.Fatalf("csv transform: %d %q", resp.StatusCode, body)
	}
	resp, body = s.Do("POST", res+"/transform", "viewer", map[string]any{
		"source":   map[string]any{"path": "/api/events.ndjson"},
		"pipeline": map[string]any{"format": "ndjson", "steps": []any{map[string]any{"type": "limit", "count": 3}}}}, nil)
	m := decode(t, body)
	if resp.StatusCode != 200 || m["rows"] != float64(3) {
		t.Fatalf("ndjson source: %d %.300s", resp.StatusCode, body)
	}
	resp, body = s.Do("GET", res+"/schema?path=/api/items&root=items", "viewer", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"path":"dimensions.w","type":"number"`) {
		t.Fatalf("schema: %d %.400s", resp.StatusCode, body)
	}
	// Sources obey the proxy rules and the caller's role like the proxy does.
	limited := start(t, `{"proxy":{"rules":[{"path":"/api/items","methods":["GET"],"minRole":"Editor"}]}}`)
	resp, body = limited.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/api/items"}}, nil)
	if resp.StatusCode != 403 {
		t.Fatalf("viewer source on an Editor rule: %d %s", resp.StatusCode, body)
	}
	if resp, _ = limited.Do("GET", res+"/schema?path=/api/metrics", "admin", nil, nil); resp.StatusCode != 403 {
		t.Fatalf("schema of an uncovered path: %d", resp.StatusCode)
	}
}
