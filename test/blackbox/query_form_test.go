package blackbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 24 §4: form and multipart query bodies built from key/value rows, each
// value its own field whatever it holds, through QueryData and /transform.

func TestQueryFormAndMultipartBodies(t *testing.T) {
	s := start(t, `{"proxy":{"rules":[{"path":"/api/form","methods":["POST"],"minRole":"Viewer"}]}}`)
	rows := []any{
		map[string]any{"key": "site", "value": "a&b=c"},
		map[string]any{"key": "site", "value": "x\r\n--boundary--"},
		map[string]any{"key": "who", "value": "${__user.login}"},
	}
	pipeline := map[string]any{"root": "fields", "columns": []any{map[string]any{"name": "key"}, map[string]any{"name": "value"}}}
	for _, typ := range []string{"form", "multipart"} {
		status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "method": "POST", "path": "/api/form",
			"bodyType": typ, "bodyForm": rows, "pipeline": pipeline})
		if status != 200 || len(out.Results["A"].Frames) != 1 {
			t.Fatalf("%s: %d %.400s", typ, status, body)
		}
		v := out.Results["A"].Frames[0].Data.Values
		got, _ := json.Marshal(v)
		want, _ := json.Marshal([][]any{{"site", "site", "who"}, {"a&b=c", "x\r\n--boundary--", "viewer"}})
		if string(got) != string(want) {
			t.Errorf("%s: the upstream received %s, want %s", typ, got, want)
		}
	}

	// The unresolved-variable check names the row; nothing is sent.
	status, out, body := dsQuery(s, "viewer", map[string]any{"refId": "A", "method": "POST", "path": "/api/form",
		"bodyType": "form", "bodyForm": []any{map[string]any{"key": "a", "value": "1"}, map[string]any{"key": "region", "value": "$region"}}})
	if status != 400 || out.Results["A"].Status != 400 || !strings.Contains(out.Results["A"].Error, "bodyForm[1].value") {
		t.Errorf("unresolved variable in a row: %d %.400s", status, body)
	}

	// /transform sources take the same fields.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{
		"source":   map[string]any{"method": "POST", "path": "/api/form", "bodyType": "multipart", "bodyForm": rows[:1]},
		"pipeline": pipeline}, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"a\u0026b=c"`) && !strings.Contains(string(body), `"a&b=c"`) {
		t.Errorf("/transform with a multipart source: %d %.400s", resp.StatusCode, body)
	}
	// Refused with a 400 JSON error, never sent.
	resp, body = s.Do("POST", res+"/transform", "viewer", map[string]any{
		"source":   map[string]any{"method": "GET", "path": "/api/form", "bodyType": "form", "bodyForm": rows[:1]},
		"pipeline": pipeline}, nil)
	if resp.StatusCode != 400 || decode(t, body)["code"] == nil || !strings.Contains(string(body), "POST, PUT, PATCH or DELETE") {
		t.Errorf("a GET with a form body: %d %.300s", resp.StatusCode, body)
	}
}
