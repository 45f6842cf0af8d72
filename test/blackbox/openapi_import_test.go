package blackbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The documents are the demo API's; only an Admin may read them (the import
// fetches as its caller, through the rules), and nothing else is allowed
// until a proposal is applied.
const importRules = `{"proxy":{"rules":[
	{"path":"/openapi.json","methods":["GET"],"minRole":"Admin"},
	{"path":"/swagger.json","methods":["GET"],"minRole":"Admin"}]},"rateLimits":{"disabled":true}}`

type proposal struct {
	Source struct {
		OpenAPI  string `json:"openapi"`
		BasePath string `json:"basePath"`
	} `json:"source"`
	Rules   []map[string]any `json:"rules"`
	Actions []map[string]any `json:"actions"`
	Queries []struct {
		Path   string `json:"path"`
		Root   string `json:"root"`
		Fields []struct{ Name, Type string }
	} `json:"queries"`
	Notes []struct{ Message string } `json:"notes"`
}

func TestOpenAPIImportThroughGrafana(t *testing.T) {
	s := start(t, importRules)
	check := newDocChecker(t, s, res)
	byPath := map[string]any{"upstream": "_default", "path": "/openapi.json"}

	for _, user := range []string{"viewer", "editor"} {
		resp, body := s.Do("POST", res+"/openapi/import", user, byPath, nil)
		if resp.StatusCode != 403 || decode(t, body)["code"] != "role_required" {
			t.Fatalf("%s: %d %s", user, resp.StatusCode, body)
		}
	}

	resp, body := s.Do("POST", res+"/openapi/import", "admin", byPath, nil)
	check.response("POST", "/openapi/import", "admin", byPath, nil, resp, body)
	if resp.StatusCode != 200 {
		t.Fatalf("import by path: %d %s", resp.StatusCode, body)
	}
	var fetched proposal
	if err := json.Unmarshal(body, &fetched); err != nil {
		t.Fatal(err)
	}
	if fetched.Source.OpenAPI != "3.0.3" || len(fetched.Rules) != 6 || len(fetched.Actions) != 3 || len(fetched.Queries) != 3 {
		t.Fatalf("proposal: %s", body)
	}

	// Pasted, the same document gives the same proposal.
	doc, err := os.ReadFile("../../cmd/demoapi/openapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	pasted := map[string]any{"document": json.RawMessage(doc)}
	resp, body2 := s.Do("POST", res+"/openapi/import", "admin", pasted, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("pasted: %d %s", resp.StatusCode, body2)
	}
	var a, b map[string]any
	json.Unmarshal(body, &a)
	json.Unmarshal(body2, &b)
	delete(a, "source")
	delete(b, "source")
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("pasted and fetched proposals differ:\n%v\n%v", a, b)
	}

	// Swagger 2.0, converted; its basePath prefixes the paths.
	resp, body = s.Do("POST", res+"/openapi/import", "admin", map[string]any{"upstream": "_default", "path": "/swagger.json"}, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"openapi":"2.0"`) || !strings.Contains(string(body), `"path":"/api/items/*"`) {
		t.Fatalf("swagger: %d %s", resp.StatusCode, body)
	}

	// The import is audited.
	_, body = s.Do("GET", res+"/audit?limit=20", "admin", nil, nil)
	if !strings.Contains(string(body), `"route":"openapi.import"`) {
		t.Errorf("no audit entry: %s", body)
	}

	// Applied to a data source, the proposal lets exactly the described
	// calls through, each for its role, and its actions run.
	jsonData, _ := json.Marshal(map[string]any{
		"proxy":      map[string]any{"rules": fetched.Rules},
		"actions":    fetched.Actions,
		"rateLimits": map[string]any{"disabled": true},
	})
	applied := start(t, string(jsonData))
	for _, c := range []struct {
		method, path, user string
		status             int
	}{
		{"GET", "/proxy/api/items?limit=2", "viewer", 200},
		{"GET", "/proxy/api/items/3", "viewer", 200},
		{"GET", "/proxy/api/metrics", "viewer", 200},
		{"DELETE", "/proxy/api/items/3", "viewer", 403},
		{"PATCH", "/proxy/api/items/4", "editor", 200},
		{"GET", "/proxy/api/series", "viewer", 403},      // not described
		{"POST", "/proxy/api/items/reset", "admin", 403}, // not described
	} {
		var body any
		if c.method == "PATCH" {
			body = map[string]any{"in_stock": true}
		}
		resp, rb := applied.Do(c.method, res+c.path, c.user, body, nil)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s as %s: %d %.200s, want %d", c.method, c.path, c.user, resp.StatusCode, rb, c.status)
		}
	}
	run := map[string]any{"params": map[string]any{"name": "Imported lamp", "price": 12.5, "category": "garden"}}
	resp, body = applied.Do("POST", res+"/actions/createItem", "editor", run, nil)
	if resp.StatusCode != 200 || decode(t, body)["status"] != float64(201) {
		t.Fatalf("createItem: %d %s", resp.StatusCode, body)
	}
	bad := map[string]any{"params": map[string]any{"name": "", "price": -1, "category": "cars"}}
	resp, body = applied.Do("POST", res+"/actions/createItem", "editor", bad, nil)
	for _, field := range []string{"params.name", "params.price", "params.category"} {
		if resp.StatusCode != 400 || !strings.Contains(string(body), field) {
			t.Errorf("typed parameters: %d %s (want %s refused)", resp.StatusCode, body, field)
		}
	}
	if resp, body := applied.Do("POST", res+"/actions/deleteItem?dryRun=true", "viewer", map[string]any{"params": map[string]any{"id": 5}}, nil); resp.StatusCode != 403 {
		t.Errorf("a Viewer ran deleteItem: %d %s", resp.StatusCode, body)
	}

	// A proposed query path's root and fields are what the upstream answers.
	q := fetched.Queries[0]
	tr := map[string]any{"source": map[string]any{"path": q.Path, "params": map[string]any{"limit": "3"}}, "pipeline": map[string]any{"root": q.Root}}
	resp, body = applied.Do("POST", res+"/transform", "viewer", tr, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("transform: %d %s", resp.StatusCode, body)
	}
	var frames struct {
		Frames []struct {
			Schema struct{ Fields []struct{ Name string } }
		}
		Rows int
	}
	json.Unmarshal(body, &frames)
	got := map[string]bool{}
	for _, f := range frames.Frames[0].Schema.Fields {
		got[f.Name] = true
	}
	for _, f := range q.Fields {
		if !got[f.Name] {
			t.Errorf("proposed field %s of %s (root %q) is not in the answer: %s", f.Name, q.Path, q.Root, body)
		}
	}
	if frames.Rows != 3 {
		t.Errorf("rows: %d", frames.Rows)
	}
}

// hostileDocument is an OpenAPI document of about size bytes: schemas that
// are a $ref cycle composed twice over at every level (allOf: [next, next]),
// a $ref to itself, 2,000 operations using them, 20,000 small schemas that
// each $ref the head of the cycle, and the rest of the size in a long
// description (the import's cost on many small schemas is measured by
// pkg/openapiimport's benchmark, without the race detector this runs under).
func hostileDocument(size int) []byte {
	const levels = 200
	var b bytes.Buffer
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"hostile","version":"1","description":"`)
	b.Write(bytes.Repeat([]byte("x"), size-2<<20))
	b.WriteString(`"},"paths":{`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"/p%d/{id}":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/S0"}}}}}}},"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Self"}}}},"responses":{"200":{"description":"ok"}}}}`, i)
	}
	b.WriteString(`},"components":{"schemas":{"Self":{"$ref":"#/components/schemas/Self"}`)
	for i := range levels {
		next := (i + 1) % levels // the last closes the cycle
		fmt.Fprintf(&b, `,"S%d":{"allOf":[{"$ref":"#/components/schemas/S%d"},{"$ref":"#/components/schemas/S%d"}],"properties":{"p%d":{"$ref":"#/components/schemas/S%d"}}}`, i, next, next, i, next)
	}
	for i := 0; i < 20000 && b.Len() < size-100; i++ {
		fmt.Fprintf(&b, `,"F%d":{"$ref":"#/components/schemas/S0"}`, i)
	}
	b.WriteString(`}}}`)
	return b.Bytes()
}

// A hostile 20 MB document is answered within the route's time and the
// caller's byte budget, and the plugin keeps serving; a bigger one is
// refused before it is read.
func TestOpenAPIImportHostileDocument(t *testing.T) {
	s := start(t, importRules)
	doc := hostileDocument(20 << 20)
	begin := time.Now()
	resp, body := s.Do("POST", res+"/openapi/import", "admin", map[string]any{"document": json.RawMessage(doc)}, nil)
	took := time.Since(begin)
	if resp.StatusCode != 200 {
		t.Fatalf("hostile document: %d %.300s", resp.StatusCode, body)
	}
	var p proposal
	json.Unmarshal(body, &p)
	notes := ""
	for _, n := range p.Notes {
		notes += n.Message + "\n"
	}
	if !strings.Contains(notes, "did not resolve") || !strings.Contains(notes, "allOf nested more than") || len(p.Queries) == 0 {
		t.Errorf("notes: %s", notes)
	}
	t.Logf("a %d-byte hostile document imported in %v (%d rules)", len(doc), took, len(p.Rules))
	if status, hwm := pluginMemory(t, s.PluginPID); status {
		t.Logf("plugin peak RSS after the import: %d MiB", hwm>>20)
	}

	big := strings.Repeat("a", 20<<20+128<<10)
	resp, body = s.Do("POST", res+"/openapi/import", "admin", map[string]any{"document": big}, nil)
	if resp.StatusCode != 413 {
		t.Errorf("over 20 MB: %d %.300s", resp.StatusCode, body)
	}
	if resp, body := s.Do("GET", res+"/info", "viewer", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the plugin stopped serving: %d %s", resp.StatusCode, body)
	}
}

// pluginMemory reads the plugin process's peak RSS (VmHWM), where /proc has it.
func pluginMemory(t *testing.T, pid int) (bool, int64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false, 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return true, kb << 10
		}
	}
	return false, 0
}
