package migrate

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/relay-gateway/relay/pkg/query"
	"github.com/relay-gateway/relay/pkg/transform"
)

// Infinity (yesoreyeram-infinity-datasource): a type (json, csv, tsv, xml,
// html, graphql, uql, …), a source (url, inline, reference, …), a parser
// (simple = the browser's, backend = JSONata, jq-backend, uql, groq) and the
// parser's columns, filters, computed columns and summaries.

func convertInfinity(c *conv, t map[string]any, src *Source, use targetUse) {
	if use == useVariable {
		if !infinityVariable(c, t) {
			return
		}
		t = c.variableTarget
	}
	typ := str(t["type"])
	if typ == "" {
		typ = "json"
	}
	c.typ = typ
	parser := str(t["parser"])
	if typ == "uql" {
		parser = "uql"
	}
	if typ == "groq" || parser == "groq" {
		c.typ = "groq"
		c.skip("GROQ has no Relay equivalent")
		return
	}
	switch typ {
	case "json", "csv", "tsv", "xml", "html", "graphql", "uql":
	case "series":
		c.skip("Infinity's generated series (random walk, expression) have no Relay equivalent")
		return
	case "global":
		c.skip("a global query (%q) lives in the Infinity data source's settings: convert that query and paste it here", str(t["global_query_id"]))
		return
	case "google-sheets":
		c.skip("Google Sheets has no Relay equivalent (call the Sheets API with a Relay upstream)")
		return
	case "transformations":
		c.skip("Infinity's transformations query type works on other queries' frames; use Grafana's transformations")
		return
	default:
		c.skip("Infinity query type %q has no Relay equivalent", typ)
		return
	}
	if parser == "" {
		// Infinity's default: the backend parser unless the query was built
		// for the frontend one (a root selector or columns).
		parser = "backend"
		if strings.TrimSpace(str(t["root_selector"])) != "" || len(objects(t["columns"])) > 0 {
			parser = "simple"
		}
	}
	pl := c.pipeline()
	switch typ {
	case "json", "graphql":
		pl.Format = transform.FormatJSON
	case "csv":
		pl.Format = transform.FormatCSV
	case "tsv":
		pl.Format = transform.FormatCSV
		pl.CSV = &transform.CSVOptions{Delimiter: "\t"}
	case "xml":
		pl.Format = transform.FormatXML
	case "html":
		pl.Format = transform.FormatHTML
	}
	if !infinitySource(c, t, src, typ) {
		return
	}
	if parser == "uql" {
		c.typ = "uql"
		convertUQL(c, str(t["uql"]), typ)
		if c.status == Skipped {
			return
		}
	} else {
		infinityParser(c, t, typ, parser)
		if c.status == Skipped {
			return
		}
	}
	infinityFormat(c, t)
	infinityPagination(c, t, parser)
	if use == useVariable {
		c.variable = c.variableMap
	}
}

// infinitySource sets the query's input: an upstream call, inline data or
// reference data.
func infinitySource(c *conv, t map[string]any, src *Source, typ string) bool {
	source := str(t["source"])
	if source == "" {
		source = "url"
	}
	switch source {
	case "inline":
		data := str(t["data"])
		if typ == "json" && strings.TrimSpace(data) == "" {
			data = "[]"
		}
		c.rq.Data, _ = json.Marshal(data)
		c.flagMacros(data)
		return true
	case "reference":
		name := str(t["referenceName"])
		if src == nil {
			c.skip("reference data %q lives in the Infinity data source's settings: pass --datasource-config with its provisioning to inline it", name)
			return false
		}
		data, ok := src.RefData[name]
		if !ok {
			c.skip("reference data %q is not in the data source's refData", name)
			return false
		}
		c.rq.Data, _ = json.Marshal(data)
		c.note("reference data %q inlined (a copy: later edits of the data source's refData do not reach this query)", name)
		return true
	case "url":
	case "azure-blob":
		c.skip("Azure Blob Storage sources have no Relay equivalent (use a Relay upstream with azure auth and the blob's URL)")
		return false
	default:
		c.skip("Infinity source %q has no Relay equivalent", source)
		return false
	}
	raw := str(t["url"])
	c.setPlacement(src.place(raw))
	opts, _ := t["url_options"].(map[string]any)
	method := strings.ToUpper(str(opts["method"]))
	if method == "" {
		method = strings.ToUpper(str(t["method"]))
	}
	if method == "" {
		method = "GET"
	}
	for _, kv := range objects(opts["params"]) {
		c.addParam(str(kv["key"]), str(kv["value"]))
	}
	for _, kv := range objects(opts["headers"]) {
		c.addHeader(str(kv["key"]), str(kv["value"]))
	}
	c.flagMacros(raw, str(opts["data"]))
	bodyType := str(opts["body_type"])
	if typ == "graphql" {
		q := str(opts["body_graphql_query"])
		if q == "" {
			q = str(opts["data"])
		}
		if strings.TrimSpace(q) == "" {
			c.skip("the GraphQL query is empty")
			return false
		}
		c.rq.GraphQL = &query.GraphQL{Query: q}
		if v := strings.TrimSpace(str(opts["body_graphql_variables"])); v != "" {
			c.rq.GraphQL.Variables = json.RawMessage(v)
			if !json.Valid([]byte(v)) {
				c.rq.GraphQL.Variables, _ = json.Marshal(v) // text; Relay checks it once variables are expanded
			}
		}
		c.rq.Method = "POST"
		c.note("POST %s: the Relay data source needs a proxy rule allowing POST on this path", c.rq.Path)
		return true
	}
	c.rq.Method = method
	if method == "GET" || method == "HEAD" {
		return true
	}
	c.note("%s %s: the Relay data source needs a proxy rule allowing %s on this path", method, c.rq.Path, method)
	switch bodyType {
	case "", "raw":
		c.rq.Body = str(opts["data"])
		if ct := str(opts["body_content_type"]); ct != "" && c.rq.Headers["Content-Type"] == "" {
			c.addHeader("Content-Type", ct)
		}
	case "x-www-form-urlencoded":
		form := url.Values{}
		for _, kv := range objects(opts["body_form"]) {
			form.Add(str(kv["key"]), str(kv["value"]))
		}
		c.rq.Body = form.Encode()
		c.addHeader("Content-Type", "application/x-www-form-urlencoded")
	case "graphql":
		c.rq.GraphQL = &query.GraphQL{Query: str(opts["body_graphql_query"])}
		if v := strings.TrimSpace(str(opts["body_graphql_variables"])); v != "" {
			c.rq.GraphQL.Variables, _ = json.Marshal(v)
		}
		c.rq.Method = "POST"
	case "form-data":
		c.partial("a multipart form-data body has no Relay equivalent: the body was dropped")
	case "none":
	default:
		c.partial("body type %q unknown: the body was dropped", bodyType)
	}
	return true
}

// infinityParser converts the simple (browser), backend (JSONata) and
// jq-backend parsers' root, columns, filters, computed columns, summary.
func infinityParser(c *conv, t map[string]any, typ, parser string) {
	pl := c.pipeline()
	root := strings.TrimSpace(str(t["root_selector"]))
	switch parser {
	case "jq-backend":
		if root != "" {
			if typ != "json" && typ != "graphql" {
				c.skip("a jq root over %s has no Relay equivalent (Relay's jq reads JSON)", typ)
				return
			}
			pl.Root, pl.RootSyntax = root, "jq"
		}
	case "simple", "backend":
		switch typ {
		case "json", "graphql":
			r, err := lodashToGjson(root)
			if err != nil {
				what := "root_selector"
				if parser == "backend" {
					what = "JSONata root_selector"
				}
				c.skip("%s %q has no direct Relay equivalent: %v", what, root, err)
				return
			}
			pl.Root = r
		case "xml":
			if root != "" {
				r, err := xmlRoot(root)
				if err != nil {
					c.skip("root_selector %q: %v", root, err)
					return
				}
				pl.Root = r
			}
		case "html":
			pl.Root = root
		case "csv", "tsv":
			if root != "" {
				c.partial("root_selector %q does not apply to CSV: ignored", root)
			}
		}
	default:
		c.skip("Infinity parser %q has no Relay equivalent", parser)
		return
	}
	if parser == "simple" {
		if boolean(mapGet(t, "json_options", "columnar")) {
			c.skip("columnar JSON (an object of arrays) has no Relay equivalent; use a jq root such as [.a, .b] | transpose")
			return
		}
	}
	csvOptions(c, t, typ)
	columnsOf(c, t, typ)
	if c.status == Skipped {
		return
	}
	if parser == "simple" {
		filtersOf(c, t)
		return
	}
	// The backend parser: computed columns, then the filter, then the summary.
	cols := map[string]bool{}
	for _, col := range pl.Columns {
		cols[col.Name] = true
	}
	ctx := &exprCtx{columns: cols}
	for _, cc := range objects(t["computed_columns"]) {
		name, expr := str(cc["text"]), str(cc["selector"])
		if name == "" || strings.TrimSpace(expr) == "" {
			continue
		}
		e, err := translateExpr(expr, modeBare, ctx)
		if err != nil {
			c.skip("computed column %q: %v", name, err)
			return
		}
		c.addStep(&transform.ComputeStep{Name: name, Expr: e})
		cols[name] = true
	}
	if f := strings.TrimSpace(str(t["filterExpression"])); f != "" {
		e, err := translateExpr(f, modeBare, ctx)
		if err != nil {
			c.skip("filterExpression %q: %v", f, err)
			return
		}
		c.addStep(&transform.FilterStep{Expr: e})
	}
	if s := strings.TrimSpace(str(t["summarizeExpression"])); s != "" {
		if err := summarizeOf(c, s, str(t["summarizeBy"]), str(t["summarizeAlias"])); err != nil {
			c.skip("summarizeExpression %q: %v", s, err)
		}
	}
}

func mapGet(t map[string]any, k1, k2 string) any {
	m, _ := t[k1].(map[string]any)
	return m[k2]
}
