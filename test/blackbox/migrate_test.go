package blackbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/migrate"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// Issue 25: every converted query of the migration corpus (Infinity, UQL,
// JSON API dashboards in pkg/migrate/testdata/corpus) runs through the dev
// host and gives the rows the source panel shows (expected.json, written
// from the source plugins' documentation).

const corpusDir = "../../pkg/migrate/testdata/corpus"

type convertedTarget struct {
	key   string // dashboard/panel/refId, as the report names it
	query map[string]any
}

// relayTargets lists the converted Relay queries of a converted dashboard.
func relayTargets(t *testing.T, out []byte) []convertedTarget {
	var root map[string]any
	if err := json.Unmarshal(out, &root); err != nil {
		t.Fatal(err)
	}
	dash := root
	if d, ok := root["dashboard"].(map[string]any); ok {
		dash = d
	}
	if s, ok := dash["spec"].(map[string]any); ok {
		dash = s
	}
	title, _ := dash["title"].(string)
	var found []convertedTarget
	isRelay := func(q map[string]any) bool {
		ds, _ := q["datasource"].(map[string]any)
		return ds != nil && ds["type"] == migrate.PluginRelay
	}
	var walk func(panels []any)
	walk = func(panels []any) {
		for _, p := range panels {
			pm, _ := p.(map[string]any)
			if nested, ok := pm["panels"].([]any); ok {
				walk(nested)
			}
			targets, _ := pm["targets"].([]any)
			for _, tg := range targets {
				q, _ := tg.(map[string]any)
				if isRelay(q) {
					found = append(found, convertedTarget{fmt.Sprintf("%s/%s/%s", title, pm["title"], q["refId"]), q})
				}
			}
		}
	}
	panels, _ := dash["panels"].([]any)
	walk(panels)
	if tpl, ok := dash["templating"].(map[string]any); ok {
		list, _ := tpl["list"].([]any)
		for _, v := range list {
			vm, _ := v.(map[string]any)
			if q, ok := vm["query"].(map[string]any); ok && isRelay(vm) {
				found = append(found, convertedTarget{fmt.Sprintf("%s/variable %s/%s", title, vm["name"], q["refId"]), q})
			}
		}
	}
	if an, ok := dash["annotations"].(map[string]any); ok {
		list, _ := an["list"].([]any)
		for _, a := range list {
			am, _ := a.(map[string]any)
			if q, ok := am["target"].(map[string]any); ok && isRelay(am) {
				found = append(found, convertedTarget{fmt.Sprintf("%s/annotation %s/%s", title, am["name"], q["refId"]), q})
			}
		}
	}
	if els, ok := dash["elements"].(map[string]any); ok {
		for _, e := range els {
			spec, _ := e.(map[string]any)["spec"].(map[string]any)
			data, _ := spec["data"].(map[string]any)
			dspec, _ := data["spec"].(map[string]any)
			queries, _ := dspec["queries"].([]any)
			for _, pq := range queries {
				ps, _ := pq.(map[string]any)["spec"].(map[string]any)
				dq, _ := ps["query"].(map[string]any)
				if dq["group"] == migrate.PluginRelay {
					q, _ := dq["spec"].(map[string]any)
					found = append(found, convertedTarget{fmt.Sprintf("%s/%s/%s", title, spec["title"], ps["refId"]), q})
				}
			}
		}
	}
	return found
}

func TestMigratedQueriesGiveTheSourceRows(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpusDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expected map[string]any
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	delete(expected, "_comment")
	cfg, err := os.ReadFile(filepath.Join(corpusDir, "old-ds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sources, err := migrate.ReadSources(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The old Infinity URL is the demo API's: the dev host's data source stands for it.
	s := start(t, `{"proxy":{"rules":[{"path":"/","methods":["GET","HEAD"]},{"path":"/api/graphql","methods":["POST"]},{"path":"/api/items/search","methods":["POST"]}]}}`)
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	ran := map[string]bool{}
	for _, f := range files {
		if b := filepath.Base(f); b == "expected.json" || b == "report.golden.json" {
			continue
		}
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := migrate.ConvertDashboard(in, migrate.Options{
			Datasources: map[string]string{"infinity-old": uid, "jsonapi-old": uid}, Sources: sources})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ct := range relayTargets(t, out) {
			want, ok := expected[ct.key].(map[string]any)
			if !ok {
				continue
			}
			ran[ct.key] = true
			t.Run(ct.key, func(t *testing.T) { checkRows(t, s, ct, want) })
		}
	}
	var missing []string
	for k := range expected {
		if !ran[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("expected rows for targets the conversion did not produce: %v", missing)
	}
}

func checkRows(t *testing.T, s *harness.Stack, ct convertedTarget, want map[string]any) {
	q := map[string]any{}
	for k, v := range ct.query {
		q[k] = v
	}
	q["refId"], q["datasource"] = "A", map[string]any{"uid": uid}
	withMapping(q)
	resp, body := s.Do("POST", "/api/ds/query", "viewer",
		map[string]any{"from": "1700000000123", "to": "1700003600123", "queries": []any{q}}, nil)
	var out queryResponse
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %.600s\nquery: %s", resp.StatusCode, body, mustJSON(q))
	}
	fr := out.Results["A"].Frames
	if len(fr) == 0 {
		t.Fatalf("no frame: %.600s", body)
	}
	got := map[string]any{}
	for i, f := range fr[0].Schema.Fields {
		got[f.Name] = fr[0].Data.Values[i]
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("no field %q; fields %v\nquery: %s", name, keys(got), mustJSON(q))
			continue
		}
		if !sameValues(g, w) {
			t.Errorf("%s = %s, want %s\nquery: %s", name, mustJSON(g), mustJSON(w), mustJSON(q))
		}
	}
}

// withMapping does what the frontend does before a variable or annotation
// query runs (src/query/mapping.ts): the mapping becomes a final rename step.
func withMapping(q map[string]any) {
	for _, key := range []string{"variable", "annotation"} {
		m, _ := q[key].(map[string]any)
		renames := map[string]any{}
		for target, src := range m {
			if s, ok := src.(string); ok && s != "" && s != target {
				renames[s] = target
			}
		}
		if len(renames) == 0 {
			continue
		}
		p, _ := q["pipeline"].(map[string]any)
		if p == nil {
			p = map[string]any{}
		}
		steps, _ := p["steps"].([]any)
		p["steps"] = append(steps, map[string]any{"type": "rename", "map": renames})
		q["pipeline"] = p
	}
}

// sameValues compares decoded JSON, JSON columns (sent as text or as
// objects) and numbers within float rounding.
func sameValues(got, want any) bool {
	g, _ := got.([]any)
	w, _ := want.([]any)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		gv, wv := g[i], w[i]
		if s, ok := gv.(string); ok {
			if _, isObj := wv.(map[string]any); isObj {
				var dec any
				if json.Unmarshal([]byte(s), &dec) == nil {
					gv = dec
				}
			}
		}
		gf, gok := gv.(float64)
		wf, wok := wv.(float64)
		if gok && wok {
			if d := gf - wf; d > 1e-9 || d < -1e-9 {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(gv, wv) {
			return false
		}
	}
	return true
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func keys(m map[string]any) string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, ", ")
}

// The source plugins' macro spellings are expanded by the backend (alias of
// Relay's macros), so converted queries run unchanged — in alert rules too.
func TestMigratedMacroAliases(t *testing.T) {
	s := start(t, "")
	status, out, body := runQuery(t, s, map[string]any{"path": "/api/echo/x",
		"params": map[string]any{"day": "${__timeFrom:date:YYYY-MM-DD}", "from": "$__unixEpochFrom()", "iso": "$__isoTo()",
			"q": "$__combineValues(host:,, OR ,a,b)", "step": "$__customInterval(5m,1m,1d,1h,1d)", "org": "${__org.id}"},
		"pipeline": map[string]any{"columns": []any{map[string]any{"name": "q", "selector": "raw_query"}}}})
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	want := "day=2023-11-14&from=1700000000&iso=2023-11-14T23%3A13%3A20.123Z&org=1&q=host%3Aa+OR+host%3Ab&step=1h"
	if q := column(t, out, "q")[0]; q != want {
		t.Errorf("upstream query %v, want %s", q, want)
	}
}
