package blackbox

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Issue 14: XML, HTML and jq-root queries through the dev host and the real plugin protocol, against the demo
// API's catalogue, feed, SOAP answer and status page.

type formatResult struct {
	Status int
	Error  string
	Fields []string
	Types  []string
	Values [][]any
}

func runFormatQuery(t *testing.T, do func(method, path, user string, body any, headers map[string]string) ([]byte, int), path string, pipeline map[string]any) formatResult {
	t.Helper()
	q := map[string]any{"refId": "A", "datasource": map[string]any{"uid": uid}, "path": path, "pipeline": pipeline}
	body, status := do("POST", "/api/ds/query", "viewer", map[string]any{"from": "now-1h", "to": "now", "queries": []any{q}}, nil)
	var out struct {
		Results map[string]struct {
			Status int    `json:"status"`
			Error  string `json:"error"`
			Frames []struct {
				Schema struct {
					Fields []struct {
						Name     string `json:"name"`
						TypeInfo struct {
							Frame string `json:"frame"`
						} `json:"typeInfo"`
					} `json:"fields"`
				} `json:"schema"`
				Data struct {
					Values [][]any `json:"values"`
				} `json:"data"`
			} `json:"frames"`
		} `json:"results"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // int64 fields must arrive exact
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%s: %d %.300s", path, status, body)
	}
	a := out.Results["A"]
	r := formatResult{Status: a.Status, Error: a.Error}
	if len(a.Frames) == 1 {
		for _, f := range a.Frames[0].Schema.Fields {
			r.Fields = append(r.Fields, f.Name)
			r.Types = append(r.Types, f.TypeInfo.Frame)
		}
		r.Values = a.Frames[0].Data.Values
	}
	return r
}

func TestFormatsXMLHTMLQueries(t *testing.T) {
	s := start(t, "")
	do := func(method, path, user string, body any, headers map[string]string) ([]byte, int) {
		resp, b := s.Do(method, path, user, body, headers)
		return b, resp.StatusCode
	}

	// The catalogue: attributes, child elements, an int64 above 2^53, a nested repeated element as json.
	r := runFormatQuery(t, do, "/api/catalogue.xml", map[string]any{"format": "xml", "root": "/catalogue/item", "columns": []any{
		map[string]any{"name": "id", "selector": "@id", "type": "number"},
		map[string]any{"name": "sku", "type": "int64"},
		map[string]any{"name": "price", "selector": "price.#text", "type": "number"},
		map[string]any{"name": "currency", "selector": "price.@currency"},
		map[string]any{"name": "created_at", "type": "time"},
		map[string]any{"name": "tags", "selector": "tags.tag", "type": "json"}}})
	if r.Error != "" || len(r.Values) != 6 || len(r.Values[0]) != 100 {
		t.Fatalf("catalogue: %+v", r)
	}
	if got := strings.Join(r.Types, ","); got != "float64,int64,float64,string,time.Time,json.RawMessage" {
		t.Errorf("catalogue types %s", got)
	}
	if r.Values[1][1].(json.Number).String() != "9007199254740006" || r.Values[2][1].(json.Number).String() != "84.18" || r.Values[3][1] != "EUR" {
		t.Errorf("catalogue row 2: sku %v price %v currency %v", r.Values[1][1], r.Values[2][1], r.Values[3][1])
	}

	// format auto detects XML by its Content-Type (it used to read it as a one-column CSV).
	r = runFormatQuery(t, do, "/api/catalogue.xml", map[string]any{"format": "auto", "root": "//item"})
	if r.Error != "" || len(r.Values) == 0 || len(r.Values[0]) != 100 || r.Fields[0] != "@id" {
		t.Fatalf("catalogue auto: %+v", r.Fields)
	}

	// RSS with namespaces; SOAP with prefixed elements matched by prefix.
	r = runFormatQuery(t, do, "/api/feed.rss", map[string]any{"format": "auto", "root": "//item", "columns": []any{
		map[string]any{"name": "title"}, map[string]any{"name": "creator"}, map[string]any{"name": "pubDate", "type": "time"}}})
	if r.Error != "" || len(r.Values[0]) != 10 || r.Values[0][0] != "Incident 1 & follow-up" || r.Values[1][0] != "team-1" {
		t.Fatalf("rss: %+v", r)
	}
	r = runFormatQuery(t, do, "/api/soap/stock", map[string]any{"format": "xml", "root": "/soap:Envelope/soap:Body/m:GetStockResponse/m:Stock", "columns": []any{
		map[string]any{"name": "sku", "selector": "@sku", "type": "int64"}, map[string]any{"name": "Quantity", "type": "number"}}})
	if r.Error != "" || len(r.Values[0]) != 5 || r.Values[0][0].(json.Number).String() != "9007199254740003" {
		t.Fatalf("soap: %+v", r)
	}

	// The HTML status page: <th> header names, colspan repeated, the repeated header row skipped.
	r = runFormatQuery(t, do, "/status.html", map[string]any{"format": "html", "root": "table#services tr"})
	if r.Error != "" || strings.Join(r.Fields, "|") != "Service|p50 (ms)|p99 (ms)|Status|Uptime %|Page" || len(r.Values[0]) != 5 {
		t.Fatalf("status page: %+v", r)
	}
	if r.Values[1][2] != "n/a" || r.Values[2][2] != "n/a" || r.Values[3][4] != "down" {
		t.Errorf("status page cells: %v", r.Values)
	}
	r = runFormatQuery(t, do, "/status.html", map[string]any{"format": "auto", "root": "table#services tr", "columns": []any{
		map[string]any{"name": "service", "selector": "@data-service"},
		map[string]any{"name": "uptime", "selector": "Uptime %", "type": "number"},
		map[string]any{"name": "page", "selector": "a@href"}}})
	if r.Error != "" || r.Values[0][4] != "exports" || r.Values[1][0].(json.Number).String() != "99.98" || r.Values[2][1] != "/svc/auth" {
		t.Fatalf("status page columns: %+v", r)
	}

	// jq as the root selector, on a JSON answer.
	r = runFormatQuery(t, do, "/api/items", map[string]any{"rootSyntax": "jq", "root": ".items[] | select(.category == \"books\") | {id, name}"})
	if r.Error != "" || len(r.Values) != 2 || len(r.Values[0]) == 0 {
		t.Fatalf("jq root: %+v", r)
	}
}

func TestFormatsBadInput(t *testing.T) {
	s := start(t, "")
	do := func(method, path, user string, body any, headers map[string]string) ([]byte, int) {
		resp, b := s.Do(method, path, user, body, headers)
		return b, resp.StatusCode
	}
	for _, c := range []struct {
		path     string
		pipeline map[string]any
		msg      string
	}{
		{"/api/laughs.xml", map[string]any{"format": "auto"}, "DOCTYPE declares entities"},
		{"/status.html", map[string]any{"format": "xml"}, "invalid XML: line"},
		{"/api/items", map[string]any{"format": "xml", "root": "//item[@id=1]"}, "must be quoted"},
		{"/status.html", map[string]any{"format": "html", "root": "tr[["}, "invalid CSS selector"},
		{"/api/items", map[string]any{"rootSyntax": "jq", "root": ".items[].id"}, "jq yielded a number where a row (an object) is expected"},
	} {
		r := runFormatQuery(t, do, c.path, c.pipeline)
		if r.Status != 400 || !strings.Contains(r.Error, c.msg) {
			t.Errorf("%s %v: %d %q, want 400 with %q", c.path, c.pipeline, r.Status, r.Error, c.msg)
		}
	}
	// The same through /transform: the JSON error shape with its code.
	resp, body := s.Do("POST", res+"/transform", "viewer", map[string]any{"source": map[string]any{"path": "/api/laughs.xml"},
		"pipeline": map[string]any{"format": "xml"}}, nil)
	if resp.StatusCode != 400 || decode(t, body)["code"] != "invalid_input" {
		t.Errorf("transform laughs: %d %s", resp.StatusCode, body)
	}
}

func TestFormatsSchema(t *testing.T) {
	s := start(t, "")
	for _, c := range []struct{ query, want []string }{
		{[]string{"path", "/api/catalogue.xml", "format", "xml", "root", "//item"},
			[]string{`"path":"@id","type":"number"`, `"path":"sku","type":"number"`, `"roots":[{"root":"/catalogue/item","count":100}`}},
		{[]string{"path", "/api/feed.rss", "format", "auto"}, []string{`{"root":"/rss/channel/item","count":10}`}},
		{[]string{"path", "/status.html", "format", "auto"}, []string{`"path":"Service","type":"string"`, `{"root":"table#services tr","count":7}`, `{"root":"ul.incidents \u003e li","count":2}`}},
		{[]string{"path", "/api/items", "rootSyntax", "jq", "root", ".items[] | {id, w: .dimensions.w}"}, []string{`"path":"w","type":"number"`}},
	} {
		v := url.Values{}
		for i := 0; i < len(c.query); i += 2 {
			v.Set(c.query[i], c.query[i+1])
		}
		resp, body := s.Do("GET", res+"/schema?"+v.Encode(), "viewer", nil, nil)
		for _, w := range c.want {
			if resp.StatusCode != 200 || !strings.Contains(string(body), w) {
				t.Errorf("schema %v: %d, want %s in %.600s", c.query, resp.StatusCode, w, body)
			}
		}
	}
}
