package blackbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// Answers as data: acceptStatus reads an error answer like a 200, responseFields adds columns about the answer.
func TestQueryAnswersAsData(t *testing.T) {
	s := start(t, "")
	run := func(q map[string]any) queryResponse {
		t.Helper()
		q["refId"], q["datasource"] = "A", map[string]any{"uid": uid}
		resp, body := s.Do("POST", "/api/ds/query", "viewer", map[string]any{"queries": []any{q}}, nil)
		assertNoCanary(t, "a query answer", string(body))
		var out queryResponse
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%d %.300s", resp.StatusCode, body)
		}
		return out
	}
	column := func(out queryResponse, name string) []any {
		t.Helper()
		fr := out.Results["A"].Frames
		if len(fr) != 1 {
			t.Fatalf("frames: %+v", out.Results["A"])
		}
		for i, f := range fr[0].Schema.Fields {
			if f.Name == name {
				return fr[0].Data.Values[i]
			}
		}
		t.Fatalf("no column %q in %+v", name, fr[0].Schema.Fields)
		return nil
	}

	// A 404 with a JSON body goes through the pipeline; every row gets the response columns.
	out := run(map[string]any{"path": "/api/items/9999", "acceptStatus": []string{"2xx", "404"},
		"responseFields": []string{"status", "url", "durationMs", "header:Content-Type"}})
	if c := column(out, "code"); len(c) != 1 || c[0] != "item_not_found" {
		t.Errorf("the 404's body as data: %v", c)
	}
	if st := column(out, "response.status"); st[0] != float64(404) { // the body has its own "status" column
		t.Errorf("status column: %v", st)
	}
	u, _ := column(out, "url")[0].(string)
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/api/items/9999") {
		t.Errorf("url column %q", u)
	}
	if ct, _ := column(out, "Content-Type")[0].(string); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("header column %q", ct)
	}
	if ms, _ := column(out, "durationMs")[0].(float64); ms <= 0 {
		t.Errorf("durationMs %v", ms)
	}

	// A 2xx answer: the columns repeat on each of its rows.
	out = run(map[string]any{"path": "/api/items", "params": map[string]any{"limit": "3"}, "pipeline": map[string]any{"root": "items"},
		"responseFields": []string{"status"}})
	if st := column(out, "status"); len(st) != 3 || st[2] != float64(200) {
		t.Errorf("status on every row: %v", st)
	}

	// An accepted 503: its JSON body is data; without a body (HEAD) it is one row with the status only.
	// Without acceptStatus it fails the query.
	out = run(map[string]any{"path": "/status/503", "acceptStatus": []string{"5xx"}})
	if c := column(out, "code"); len(c) != 1 || c[0] != "status_503" {
		t.Errorf("503 body as data: %v", c)
	}
	out = run(map[string]any{"method": "HEAD", "path": "/status/503", "acceptStatus": []string{"5xx"}, "responseFields": []string{"url"}})
	if st := column(out, "status"); len(st) != 1 || st[0] != float64(503) || len(out.Results["A"].Frames[0].Schema.Fields) != 2 {
		t.Errorf("a bodiless 503 as data: %+v", out.Results["A"].Frames)
	}
	out = run(map[string]any{"path": "/status/503"})
	if e := out.Results["A"].Error; !strings.Contains(e, "503") {
		t.Errorf("a 503 without acceptStatus: %q", e)
	}

	// The same in a /transform source.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/api/items/9999",
		"acceptStatus": []string{"404"}, "responseFields": []string{"header:Content-Type"}}, "pipeline": map[string]any{}}, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"item_not_found"`) || !strings.Contains(string(body), `"Content-Type"`) {
		t.Errorf("/transform: %d %.400s", resp.StatusCode, body)
	}
	resp, body = s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/",
		"acceptStatus": []string{"40x"}}, "pipeline": map[string]any{}}, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "acceptStatus") {
		t.Errorf("bad acceptStatus: %d %s", resp.StatusCode, body)
	}
}
