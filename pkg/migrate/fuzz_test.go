package migrate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConvertDashboard: any dashboard JSON converts without a panic, the
// output is JSON, every target of a source plugin is in the report, and
// every converted entry is one Relay target more in the output. The seeds
// (the corpus and small edge cases) run in every go test.
func FuzzConvertDashboard(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, "expected.json") {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"panels":null}`, `{"panels":[null,1,"x",{"targets":[null,{}]}]}`,
		`{"panels":[{"datasource":{"type":"yesoreyeram-infinity-datasource","uid":"old"},"targets":[{"refId":"A","type":"uql","source":"inline","data":"[]","uql":"parse-json | where (((("}]}]}`,
		`{"panels":[{"datasource":{"type":"yesoreyeram-infinity-datasource","uid":"old"},"targets":[{"refId":"A","type":"uql","uql":"| | project kv(\"a\") | mv-expand \"x\"=1"}]}]}`,
		`{"panels":[{"datasource":{"type":"marcusolsson-json-datasource","uid":"old"},"targets":[{"refId":"A","fields":[{"jsonPath":"$[?(@.a == 'x' && @.b)]"},{"jsonPath":7}],"params":[[1,2],["a"]]}]}]}`,
		`{"panels":[{"datasource":"old","targets":[{"refId":"A","urlPath":"/x","fields":{"a":1}}]}]}`,
		`{"templating":{"list":[{"type":"query","datasource":{"type":"yesoreyeram-infinity-datasource"},"query":"Collection(a"}]}}`,
		`{"annotations":{"list":[{"datasource":{"type":"marcusolsson-json-datasource","uid":"old"},"target":{"fields":[]}}]}}`,
		`{"dashboard":{"elements":{"p":{"kind":"Panel","spec":{"data":{"spec":{"queries":[{"spec":{"query":{"kind":"DataQuery","group":"yesoreyeram-infinity-datasource","spec":{"type":"csv","source":"inline"}}}}]}}}}}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, rep, err := ConvertDashboard(in, Options{Datasources: map[string]string{"old": "relay", "infinity-old": "relay", "jsonapi-old": "relay"}})
		if err != nil {
			return // not a JSON object: refused, nothing to report
		}
		if !json.Valid(out) {
			t.Fatalf("output is not JSON")
		}
		var before, after any
		_ = json.Unmarshal(in, &before)
		_ = json.Unmarshal(out, &after)
		if n := countSourceTargets(before); len(rep) < n {
			t.Fatalf("%d source targets, %d report entries: %+v", n, len(rep), rep)
		}
		converted := 0
		for _, e := range rep {
			if e.Status == Converted || e.Status == Partial {
				converted++
			}
			if e.Status != Converted && e.Status != Partial && e.Status != Skipped {
				t.Fatalf("status %q", e.Status)
			}
			if e.Status == Skipped && e.Reason == "" {
				t.Fatalf("skipped without a reason: %+v", e)
			}
		}
		if got := countRelay(after) - countRelay(before); got != converted {
			t.Fatalf("%d entries converted, %d Relay queries added", converted, got)
		}
	})
}

// countSourceTargets counts the classic panel targets whose data source
// (theirs, else the panel's) is typed as a source plugin.
func countSourceTargets(doc any) int {
	root, _ := doc.(map[string]any)
	if d, ok := root["dashboard"].(map[string]any); ok {
		root = d
	}
	if _, v2 := root["elements"]; v2 {
		return 0
	}
	n := 0
	var walk func(any)
	walk = func(v any) {
		panels, _ := v.([]any)
		for _, p := range panels {
			pm, _ := p.(map[string]any)
			if pm == nil {
				continue
			}
			walk(pm["panels"])
			if _, lib := pm["libraryPanel"]; lib {
				continue
			}
			pt := refOf(pm["datasource"]).typ
			targets, _ := pm["targets"].([]any)
			for _, tg := range targets {
				tm, ok := tg.(map[string]any)
				if !ok {
					continue
				}
				typ := pt
				if r := refOf(tm["datasource"]); r.uid != "" || r.typ != "" {
					typ = r.typ
				}
				if typ == PluginInfinity || typ == PluginJSONAPI {
					n++
				}
			}
		}
	}
	walk(root["panels"])
	return n
}

// countRelay counts the objects pointing at the Relay plugin as a query's
// data source (classic targets, variables, annotations; v2 queries).
func countRelay(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if ds, ok := x["datasource"].(map[string]any); ok && ds["type"] == PluginRelay {
			_, isTarget := x["refId"]
			_, isVariable := x["query"].(map[string]any)
			_, isAnnotation := x["target"].(map[string]any)
			if isTarget || isVariable || isAnnotation {
				n++
			}
		}
		if x["group"] == PluginRelay || x["kind"] == PluginRelay {
			n++
		}
		for _, c := range x {
			n += countRelay(c)
		}
	case []any:
		for _, c := range x {
			n += countRelay(c)
		}
	}
	return n
}
