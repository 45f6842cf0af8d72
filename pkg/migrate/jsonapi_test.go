package migrate

import (
	"encoding/json"
	"strings"
	"testing"
)

// convert runs one target through the dashboard conversion and returns the
// converted target and its report entry.
func convert(t *testing.T, plugin, target string, src ...*Source) (map[string]any, Entry) {
	t.Helper()
	dash := `{"title":"T","panels":[{"id":1,"title":"P","datasource":{"type":"` + plugin + `","uid":"old"},"targets":[` + target + `]}]}`
	out, rep, err := ConvertDashboard([]byte(dash), Options{Datasources: map[string]string{"old": "relay"}, Sources: src})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	var d map[string]any
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	return d["panels"].([]any)[0].(map[string]any)["targets"].([]any)[0].(map[string]any), rep[0]
}

func js(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

func TestJSONAPITargets(t *testing.T) {
	cases := []struct {
		name, target string
		status       string
		want         []string // substrings of the converted target's JSON
		note         string   // substring of a note or the reason
	}{
		{"fields under one list", `{"refId":"A","urlPath":"/api/items","fields":[{"jsonPath":"$.items[*].name"},{"jsonPath":"$.items[*].price","type":"number","name":"Price"}]}`,
			Converted, []string{`"root":"items"`, `{"name":"name"}`, `{"name":"Price","selector":"price","type":"number"}`, `"path":"/api/items"`}, ""},
		{"nested selector and bracket key", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$.data.rows[*].meta['region name']"}]}`,
			Converted, []string{`"root":"data.rows"`, `"selector":"meta.region name"`, `"name":"region name"`}, ""},
		{"root array", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$[*].id","type":"string"}]}`,
			Converted, []string{`"pipeline":{"columns":[{"name":"id","type":"string"}]}`}, ""},
		{"single values: one row", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$.count","type":"number"},{"jsonPath":"$.meta.updated","type":"time"}]}`,
			Converted, []string{`{"name":"count","type":"number"}`, `"selector":"meta.updated"`}, ""},
		{"params, legacy queryParams, headers, POST body", `{"refId":"A","method":"POST","urlPath":"/api/search?a=1","queryParams":"b=2","params":[["c","$var"]],"headers":[["X-T","t"]],"body":"{\"q\":\"${__from}\"}","fields":[{"jsonPath":"$.results[*].id"}]}`,
			Converted, []string{`"method":"POST"`, `"a":"1"`, `"b":"2"`, `"c":"$var"`, `"X-T":"t"`, `"body":"{\"q\":\"${__from}\"}"`}, "POST /api/search"},
		{"cache duration", `{"refId":"A","urlPath":"/x","cacheDurationSeconds":60,"fields":[{"jsonPath":"$.a[*].b"}]}`,
			Converted, []string{`"cacheTTL":"60s"`}, ""},
		{"filter script to a gjson query", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$.items[?(@.price > 10 && @.category == 'books')].name"}]}`,
			Converted, []string{`"root":"items|#(price>10)#|#(category==\"books\")#"`}, ""},
		{"credential header dropped", `{"refId":"A","urlPath":"/x","headers":[["Authorization","Bearer s3cret"]],"fields":[{"jsonPath":"$.a[*].b"}]}`,
			Partial, nil, "header Authorization dropped"},
		{"a JSONata field dropped", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$.a[*].b"},{"jsonPath":"$sum(a.b)","language":"jsonata"}]}`,
			Partial, []string{`"root":"a"`}, "JSONata"},
		{"group by field", `{"refId":"A","urlPath":"/x","experimentalGroupByField":"host","experimentalMetricField":"cpu","fields":[{"jsonPath":"$.a[*].t","type":"time"},{"jsonPath":"$.a[*].host"},{"jsonPath":"$.a[*].cpu","type":"number"}]}`,
			Partial, []string{`"format":"timeseries"`}, "as a label"},
		{"recursive descent", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$..name"}]}`, Skipped, nil, "recursive descent"},
		{"different lists", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"$.a[*].x"},{"jsonPath":"$.b[*].y"}]}`, Skipped, nil, "different lists"},
		{"only JSONata", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":"a.b","language":"jsonata"}]}`, Skipped, nil, "JSONata"},
		{"no fields", `{"refId":"A","urlPath":"/x","fields":[{"jsonPath":""}]}`, Skipped, nil, "no fields"},
		{"PUT", `{"refId":"A","method":"PUT","urlPath":"/x","fields":[{"jsonPath":"$.a"}]}`, Skipped, nil, "GET and POST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, e := convert(t, PluginJSONAPI, tc.target)
			if e.Status != tc.status {
				t.Fatalf("status %s, want %s: %+v", e.Status, tc.status, e)
			}
			s := js(got)
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("converted target lacks %s:\n%s", w, s)
				}
			}
			if tc.note != "" && !strings.Contains(e.Reason+strings.Join(e.Notes, "|"), tc.note) {
				t.Errorf("reason/notes lack %q: %+v", tc.note, e)
			}
			if tc.status == Skipped {
				if ds, own := got["datasource"].(map[string]any); own && ds["uid"] != "old" { // else the panel's: old
					t.Errorf("a skipped target must stay on its data source: %s", s)
				}
			} else if got["datasource"].(map[string]any)["uid"] != "relay" || got["refId"] != "A" {
				t.Errorf("converted target: %s", s)
			}
		})
	}
}

func TestJSONAPIVariableAndAnnotation(t *testing.T) {
	dash := `{"title":"T","templating":{"list":[
	  {"name":"host","type":"query","datasource":{"type":"marcusolsson-json-datasource","uid":"old"},
	   "query":{"urlPath":"/hosts","fields":[{"jsonPath":"$.hosts[*].name"},{"jsonPath":"$.hosts[*].id"}],"experimentalVariableTextField":"name","experimentalVariableValueField":"id"}},
	  {"name":"legacy","type":"query","datasource":{"type":"marcusolsson-json-datasource","uid":"old"},"query":{"urlPath":"/hosts","jsonPath":"$.hosts[*].name"}},
	  {"name":"c","type":"custom","query":"a,b"}]},
	 "annotations":{"list":[{"name":"Deploys","datasource":{"type":"marcusolsson-json-datasource","uid":"old"},"enable":true,
	   "target":{"urlPath":"/deploys","fields":[{"jsonPath":"$.d[*].at","type":"time"},{"jsonPath":"$.d[*].what"}]}}]}}`
	out, rep, err := ConvertDashboard([]byte(dash), Options{Datasources: map[string]string{"old": "relay"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep) != 3 {
		t.Fatalf("report: %+v", rep)
	}
	for _, e := range rep {
		if e.Status != Converted {
			t.Errorf("%+v", e)
		}
	}
	var d any
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	s := js(d)
	for _, w := range []string{`"variable":{"text":"name","value":"id"}`, `"variable":{"text":"name","value":"name"}`, `"root":"d"`, `"uid":"relay"`} {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %s:\n%s", w, s)
		}
	}
	if strings.Count(s, `"type":"relay-gateway-datasource"`) != 3 {
		t.Errorf("the two variables and the annotation point at Relay:\n%s", s)
	}
}

// A panel whose targets partly convert becomes mixed; the others keep the
// panel's data source as their own.
func TestMixedPanelKeepsTheOthersDataSource(t *testing.T) {
	dash := `{"title":"T","panels":[{"id":1,"title":"P","datasource":{"type":"prometheus","uid":"prom"},"targets":[
	  {"refId":"A","expr":"up"},
	  {"refId":"B","datasource":{"type":"marcusolsson-json-datasource","uid":"old"},"urlPath":"/x","fields":[{"jsonPath":"$.a[*].b"}]},
	  {"refId":"C","datasource":{"type":"marcusolsson-json-datasource","uid":"old"},"urlPath":"/x","fields":[{"jsonPath":"$..b"}]}]}]}`
	out, rep, err := ConvertDashboard([]byte(dash), Options{Datasources: map[string]string{"old": "relay"}})
	if err != nil || len(rep) != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	var d map[string]any
	_ = json.Unmarshal(out, &d)
	p := d["panels"].([]any)[0].(map[string]any)
	ts := p["targets"].([]any)
	uidOf := func(v any) any { return v.(map[string]any)["datasource"].(map[string]any)["uid"] }
	if uidOf(p) != "-- Mixed --" || uidOf(ts[0]) != "prom" || uidOf(ts[1]) != "relay" || uidOf(ts[2]) != "old" {
		t.Errorf("%s", js(p))
	}
}
