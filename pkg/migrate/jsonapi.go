package migrate

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/transform"
)

// JSON API (grafana-json-datasource, marcusolsson-json-datasource): a GET or
// POST to urlPath below the data source's URL; each field a JSONPath (or
// JSONata) expression giving one column.

var jsonAPITypes = map[string]string{"string": transform.TypeString, "number": transform.TypeNumber,
	"time": transform.TypeTime, "boolean": transform.TypeBoolean, "other": transform.TypeJSON}

func convertJSONAPI(c *conv, t map[string]any, src *Source, use targetUse) {
	method := strings.ToUpper(str(t["method"]))
	if method == "" {
		method = "GET"
	}
	if method != "GET" && method != "POST" {
		c.skip("method %s: JSON API only sends GET and POST", method)
		return
	}
	c.rq.Method = method
	urlPath := str(t["urlPath"])
	p := (&Source{URL: "http://x"}).place(urlPath) // urlPath is always below the data source's URL
	c.rq.Path = p.path
	for k, vs := range p.query {
		c.addParam(k, vs...)
	}
	if qp := str(t["queryParams"]); qp != "" { // the editor's legacy text form
		vals, err := url.ParseQuery(strings.TrimPrefix(qp, "?"))
		if err != nil {
			c.partial("queryParams %q could not be read and were dropped", qp)
		}
		for k, vs := range vals {
			c.addParam(k, vs...)
		}
	}
	for _, kv := range pairs(t["params"]) {
		c.addParam(kv[0], kv[1])
	}
	for _, kv := range pairs(t["headers"]) {
		c.addHeader(kv[0], kv[1])
	}
	if method == "POST" {
		c.rq.Body = str(t["body"])
		c.note("POST %s: the Relay data source needs a proxy rule allowing POST on this path", c.rq.Path)
	}
	if secs, ok := num(t["cacheDurationSeconds"]); ok && secs > 0 {
		c.cacheTTL = strconv.FormatInt(int64(secs), 10) + "s"
	}

	fields := objects(t["fields"])
	if len(fields) == 0 && str(t["jsonPath"]) != "" { // variables of JSON API < 1.0
		fields = []map[string]any{{"jsonPath": str(t["jsonPath"])}}
	}
	var paths []map[string]any
	jsonata := 0
	for _, f := range fields {
		if strings.TrimSpace(str(f["jsonPath"])) == "" {
			continue // JSON API ignores empty fields
		}
		if str(f["language"]) == "jsonata" {
			jsonata++
			c.partial("field %q is a JSONata expression, which has no Relay equivalent: dropped (add a jq step by hand)", str(f["jsonPath"]))
			continue
		}
		paths = append(paths, f)
	}
	if len(paths) == 0 {
		if jsonata == 0 {
			c.skip("the query has no fields")
		} else {
			c.skip("every field is a JSONata expression, which has no Relay equivalent")
		}
		return
	}
	pl := c.pipeline()
	var root string
	var many bool
	names := map[string]bool{}
	var timeField string
	for i, f := range paths {
		jp := str(f["jsonPath"])
		sp, err := splitJSONPath(jp)
		if err != nil {
			c.skip("field %s: %v", jp, err)
			return
		}
		if i == 0 {
			root, many = sp.root, sp.many
		} else if sp.root != root || sp.many != many {
			c.skip("fields %s and %s select different lists (JSON API refuses fields of different lengths; Relay reads one list of rows)", str(paths[0]["jsonPath"]), jp)
			return
		}
		name := str(f["name"])
		if name == "" {
			name = sp.last
			if name == "" || name == "*" {
				name = fmt.Sprintf("result%d", i)
				if len(paths) == 1 {
					name = "result"
				}
			}
		}
		for base, n := name, 2; names[name]; n++ {
			name = fmt.Sprintf("%s %d", base, n)
		}
		names[name] = true
		col := transform.Column{Name: name, Selector: sp.selector}
		if col.Selector == name {
			col.Selector = ""
		}
		if typ := str(f["type"]); typ != "" {
			rt, ok := jsonAPITypes[typ]
			if !ok {
				c.partial("field %s: type %q unknown; inferred instead", name, typ)
			}
			col.Type = rt
		}
		if col.Type == transform.TypeTime && timeField == "" {
			timeField = name
		}
		pl.Columns = append(pl.Columns, col)
	}
	pl.Root = root
	c.flagMacros(urlPath, str(t["body"]))

	if g := str(t["experimentalGroupByField"]); g != "" && use == usePanel {
		if !names[g] {
			c.partial("experimentalGroupByField %q names no field: ignored", g)
		} else {
			c.rq.Format = "timeseries"
			c.partial("experimentalGroupByField %q: Relay returns one wide time series frame with %q as a label instead of one frame per value; series are named by their labels", g, g)
			if m := str(t["experimentalMetricField"]); m != "" {
				c.note("experimentalMetricField %q: set the field's display name to ${__field.labels.%s} to name series by the group as JSON API did", m, g)
			}
		}
	}
	switch use {
	case useVariable:
		v := map[string]any{}
		if s := str(t["experimentalVariableTextField"]); s != "" {
			v["text"] = s
		}
		if s := str(t["experimentalVariableValueField"]); s != "" {
			v["value"] = s
		}
		if len(v) == 0 && len(pl.Columns) > 0 { // JSON API: the first field is text and value
			v["text"], v["value"] = pl.Columns[0].Name, pl.Columns[0].Name
		}
		c.variable = v
	case useAnnotation:
		if timeField == "" {
			c.partial("annotations need a time field: none of the fields has type time")
		}
	}
}

// pairs reads JSON API's [[key, value], …].
func pairs(v any) [][2]string {
	arr, _ := v.([]any)
	var out [][2]string
	for _, x := range arr {
		kv, _ := x.([]any)
		if len(kv) == 2 && str(kv[0]) != "" {
			out = append(out, [2]string{str(kv[0]), str(kv[1])})
		}
	}
	return out
}
