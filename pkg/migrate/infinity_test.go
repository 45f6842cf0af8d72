package migrate

import (
	"strings"
	"testing"
)

func TestInfinityTargets(t *testing.T) {
	src := &Source{UID: "old", Type: PluginInfinity, URL: "https://api.example.com/v1",
		AllowedHosts: []string{"https://api.example.com", "https://status.example.org/api"},
		RefData:      map[string]string{"hosts": "host,cpu\nweb-1,0.5\n"}}
	cases := []struct {
		name, target string
		status       string
		want         []string
		note         string
	}{
		{"json url, simple parser, columns", `{"refId":"A","type":"json","source":"url","url":"https://api.example.com/v1/items?category=books","url_options":{"method":"GET","params":[{"key":"limit","value":"10"}],"headers":[{"key":"X-T","value":"t"}]},
		  "root_selector":"data.items","columns":[{"selector":"name","text":"Name","type":"string"},{"selector":"price","text":"","type":"number"},{"selector":"created","text":"Created","type":"timestamp","timestampFormat":"2006-01-02"},{"selector":"ts","text":"TS","type":"timestamp_epoch_s"}],"format":"table"}`,
			Converted, []string{`"path":"/items"`, `"category":"books"`, `"limit":"10"`, `"X-T":"t"`, `"root":"data.items"`, `{"name":"Name","selector":"name","type":"string"}`, `{"name":"price","type":"number"}`, `{"name":"Created","selector":"created","timeFormat":"2006-01-02"}`, `{"name":"TS","selector":"ts","timeFormat":"unix_s"}`}, ""},
		{"allowed host → named upstream", `{"refId":"A","type":"json","url":"https://status.example.org/api/incidents","parser":"backend"}`,
			Converted, []string{`"upstream":"status-example-org"`, `"path":"/incidents"`}, ""},
		{"url under no host → partial", `{"refId":"A","type":"json","url":"https://other.example.net/x","parser":"backend"}`,
			Partial, []string{`"upstream":"other-example-net"`, `"path":"/x"`}, `add an upstream "other-example-net"`},
		{"relative url", `{"refId":"A","type":"csv","url":"/report.csv","parser":"backend"}`,
			Converted, []string{`"path":"/report.csv"`, `"format":"csv"`}, ""},
		{"inline csv backend filter, computed, summarize", `{"refId":"A","type":"csv","source":"inline","data":"host,cpu,mem\nweb-1,0.5,2\nweb-2,0.9,4","parser":"backend",
		  "computed_columns":[{"selector":"cpu * 100","text":"pct"}],"filterExpression":"pct > 60 && host != 'x'","summarizeExpression":"sum(mem)","summarizeBy":"host","summarizeAlias":"total"}`,
			Converted, []string{`{"expr":"cpu * 100","name":"pct","type":"compute"}`, `{"expr":"(pct > 60) && (host != \"x\")","type":"filter"}`, `"aggregates":[{"as":"total","field":"mem","op":"sum"}],"by":["host"]`}, ""},
		{"tsv with IN filter", `{"refId":"A","type":"tsv","source":"inline","data":"a\tb\n1\tx","parser":"backend","filterExpression":"b IN ('x','y')"}`,
			Converted, []string{`"delimiter":"\t"`, `"expr":"b in [\"x\", \"y\"]"`}, ""},
		{"reference data inlined", `{"refId":"A","type":"csv","source":"reference","referenceName":"hosts","parser":"backend"}`,
			Converted, []string{`"data":"host,cpu\nweb-1,0.5\n"`}, "inlined"},
		{"reference data missing", `{"refId":"A","type":"csv","source":"reference","referenceName":"nope"}`, Skipped, nil, `"nope" is not in`},
		{"frontend filters", `{"refId":"A","type":"json","source":"inline","data":"[]","root_selector":"","columns":[{"selector":"a","text":"a","type":"string"}],"parser":"simple",
		  "filters":[{"field":"a","operator":"contains_ignorecase","value":["X"]},{"field":"a","operator":"notin","value":["p,q"]},{"field":"a","operator":">","value":["3"]}]}`,
			Converted, []string{`lower(string(a)) contains lower(\"X\") && !(string(a) in [\"p\", \"q\"]) && float(a) > 3`}, ""},
		{"xml simple parser", `{"refId":"A","type":"xml","source":"inline","data":"<r/>","root_selector":"rss.channel[0].item","columns":[{"selector":"title","text":"Title","type":"string"},{"selector":"$.id","text":"ID","type":"number"},{"selector":"guid._","text":"G","type":"string"}]}`,
			Converted, []string{`"root":"/rss/channel/item"`, `"selector":"@id"`, `"selector":"guid.#text"`, `"format":"xml"`}, ""},
		{"html", `{"refId":"A","type":"html","url":"https://api.example.com/v1/status","root_selector":"table#svc tbody tr","columns":[{"selector":"td:nth-child(1)","text":"svc","type":"string"}]}`,
			Converted, []string{`"root":"table#svc tbody tr"`, `"selector":"td:nth-child(1)"`, `"format":"html"`}, ""},
		{"graphql", `{"refId":"A","type":"graphql","url":"https://api.example.com/v1/graphql","url_options":{"method":"POST","body_graphql_query":"{ items { id } }","body_graphql_variables":"{\"first\": 2}"},"root_selector":"data.items"}`,
			Converted, []string{`"graphql":{"query":"{ items { id } }","variables":{"first":2}}`, `"method":"POST"`, `"root":"data.items"`}, "POST /graphql"},
		{"POST raw body with content type", `{"refId":"A","type":"json","url":"/search","url_options":{"method":"POST","data":"{\"q\":1}","body_type":"raw","body_content_type":"application/json"},"parser":"backend"}`,
			Converted, []string{`"body":"{\"q\":1}"`, `"Content-Type":"application/json"`}, "POST /search"},
		{"form body", `{"refId":"A","type":"json","url":"/f","url_options":{"method":"POST","body_type":"x-www-form-urlencoded","body_form":[{"key":"a","value":"1 2"}]},"parser":"backend"}`,
			Converted, []string{`"body":"a=1+2"`, `"Content-Type":"application/x-www-form-urlencoded"`}, ""},
		{"jq backend", `{"refId":"A","type":"json","url":"/x","parser":"jq-backend","root_selector":".items[] | select(.on)"}`,
			Converted, []string{`"rootSyntax":"jq"`, `"root":".items[] | select(.on)"`}, ""},
		{"JSONata root", `{"refId":"A","type":"json","url":"/x","parser":"backend","root_selector":"$sum(items.price)"}`, Skipped, nil, "JSONata root_selector"},
		{"formats", `{"refId":"A","type":"json","source":"inline","data":"[]","parser":"backend","format":"node-graph-edges"}`, Converted, []string{`"format":"nodegraph"`}, ""},
		{"logs", `{"refId":"A","type":"json","source":"inline","data":"[]","parser":"backend","format":"logs"}`, Converted, []string{`"format":"logs"`}, ""},
		{"page pagination", `{"refId":"A","type":"json","url":"/items","parser":"backend","pagination_mode":"page","pagination_max_pages":3,"pagination_param_page_field_name":"p","pagination_param_size_value":50}`,
			Converted, []string{`"pagination":{"in":"query","limitParam":"limit","maxPages":3,"mode":"page","pageParam":"p","pageSize":50}`}, ""},
		{"cursor pagination in header", `{"refId":"A","type":"json","url":"/items","parser":"backend","pagination_mode":"cursor","pagination_param_cursor_field_type":"header","pagination_param_cursor_field_name":"X-C","pagination_param_cursor_extraction_path":"meta.next"}`,
			Converted, []string{`"pagination":{"cursorParam":"X-C","cursorPath":"meta.next","in":"header","mode":"cursor"}`}, ""},
		{"list pagination", `{"refId":"A","type":"json","url":"/v","parser":"backend","pagination_mode":"list","pagination_param_list_field_name":"host","pagination_param_list_value":"a,b"}`,
			Converted, []string{`"pagination":{"in":"query","mode":"list","valueParam":"host","values":["a","b"]}`}, ""},
		{"replace pagination", `{"refId":"A","type":"json","url":"/v","parser":"backend","pagination_mode":"offset","pagination_param_offset_field_type":"replace"}`, Partial, nil, "replacing a part of the URL"},
		{"groq", `{"refId":"A","type":"json","parser":"groq","groq":"*"}`, Skipped, nil, "GROQ has no Relay equivalent"},
		{"series", `{"refId":"A","type":"series","source":"random-walk"}`, Skipped, nil, "generated series"},
		{"global", `{"refId":"A","type":"global","global_query_id":"q1"}`, Skipped, nil, "global query"},
		{"credential header", `{"refId":"A","type":"json","url":"/x","url_options":{"headers":[{"key":"Authorization","value":"Bearer x"}]},"parser":"backend"}`, Partial, nil, "header Authorization dropped"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, e := convert(t, PluginInfinity, tc.target, src)
			if e.Status != tc.status {
				t.Fatalf("status %s, want %s: %+v\n%s", e.Status, tc.status, e, js(got))
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
		})
	}
}

func TestInfinityWithoutConfig(t *testing.T) {
	got, e := convert(t, PluginInfinity, `{"refId":"A","type":"json","url":"https://api.example.com/v1/items","parser":"backend"}`)
	if e.Status != Converted || !strings.Contains(js(got), `"path":"/v1/items"`) || !strings.Contains(strings.Join(e.Notes, ""), "assumes the Relay data source's URL is https://api.example.com") {
		t.Errorf("%+v %s", e, js(got))
	}
	_, e = convert(t, PluginInfinity, `{"refId":"A","type":"csv","source":"reference","referenceName":"x"}`)
	if e.Status != Skipped || !strings.Contains(e.Reason, "--datasource-config") {
		t.Errorf("%+v", e)
	}
}

func TestInfinityVariables(t *testing.T) {
	dash := `{"title":"T","templating":{"list":[
	  {"name":"v1","type":"query","datasource":{"type":"yesoreyeram-infinity-datasource","uid":"old"},
	   "query":{"queryType":"infinity","infinityQuery":{"refId":"variable","type":"csv","source":"inline","data":"name,id\na,1","parser":"backend"},"meta":{"textField":"name","valueField":"id"}}},
	  {"name":"v2","type":"query","datasource":{"type":"yesoreyeram-infinity-datasource","uid":"old"},"query":{"queryType":"legacy","query":"Collection(Alpha,a,Beta,b)"}},
	  {"name":"v3","type":"query","datasource":{"type":"yesoreyeram-infinity-datasource","uid":"old"},"query":{"queryType":"legacy","query":"Join(a,b)"}},
	  {"name":"v4","type":"query","datasource":{"type":"yesoreyeram-infinity-datasource","uid":"old"},"query":{"queryType":"random","values":["a"]}}]}}`
	out, rep, err := ConvertDashboard([]byte(dash), Options{Datasources: map[string]string{"old": "relay"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{Converted, Converted, Skipped, Skipped}
	for i, e := range rep {
		if e.Status != want[i] {
			t.Errorf("%d: %+v", i, e)
		}
	}
	s := string(out)
	for _, w := range []string{`"text": "name"`, `"value": "id"`, `[{\"text\":\"Alpha\",\"value\":\"a\"},{\"text\":\"Beta\",\"value\":\"b\"}]`, `"query": "Join(a,b)"`} {
		if !strings.Contains(s, w) {
			t.Errorf("lacks %s:\n%s", w, s)
		}
	}
}
