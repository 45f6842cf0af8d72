package migrate

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
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

// summarizeOf converts the backend parser's summary: one aggregate such as
// sum(price) (or count()), grouped by a comma-separated list of fields.
func summarizeOf(c *conv, expr, by, alias string) error {
	n, err := parseExprText(expr, modeBare)
	if err != nil {
		return err
	}
	call, ok := n.(*nCall)
	if !ok {
		return fmt.Errorf("only a single aggregate (count(), sum(x), mean(x), min(x), max(x), first(x), last(x)) converts")
	}
	op, field, err := aggregateOf(call)
	if err != nil {
		return err
	}
	as := alias
	if as == "" {
		as = "summary" // Infinity's default alias
	}
	g := &transform.GroupByStep{Aggregates: []transform.Aggregate{{Op: op, Field: field, As: as}}}
	for _, b := range strings.Split(by, ",") {
		if b = strings.TrimSpace(b); b != "" {
			g.By = append(g.By, transform.Key{Field: b})
		}
	}
	c.addStep(g)
	return nil
}

var aggregateOps = map[string]string{"count": "count", "sum": "sum", "min": "min", "max": "max", "mean": "avg",
	"avg": "avg", "first": "first", "last": "last"}

func aggregateOf(call *nCall) (op, field string, err error) {
	op = aggregateOps[call.name]
	if op == "" {
		return "", "", fmt.Errorf("aggregate %s() has no Relay equivalent", call.name)
	}
	switch len(call.args) {
	case 0:
		if op != "count" {
			return "", "", fmt.Errorf("%s() needs a field", call.name)
		}
		return op, "", nil
	case 1:
		f, ok := call.args[0].(*nField)
		if !ok {
			return "", "", fmt.Errorf("%s() takes a field", call.name)
		}
		return op, strings.Join(f.path, "."), nil
	}
	return "", "", fmt.Errorf("%s() takes one field", call.name)
}

func csvOptions(c *conv, t map[string]any, typ string) {
	if typ != "csv" && typ != "tsv" {
		return
	}
	o, _ := t["csv_options"].(map[string]any)
	if o == nil {
		return
	}
	pl := c.pipeline()
	if pl.CSV == nil {
		pl.CSV = &transform.CSVOptions{}
	}
	if d := str(o["delimiter"]); d != "" && typ == "csv" {
		if d == "\\t" {
			d = "\t"
		}
		pl.CSV.Delimiter = d
	}
	if cm := str(o["comment"]); cm != "" {
		pl.CSV.Comment = cm
	}
	if h := str(o["columns"]); h != "" {
		c.partial("csv_options.columns (replacement headers %q) has no Relay equivalent: name the columns with columns' selectors col1, col2, … and header false", h)
	}
	if boolean(o["relax_column_count"]) {
		c.note("csv_options.relax_column_count: Relay's CSV reader accepts rows of varying length")
	}
}

var infinityColumnTypes = map[string]string{"string": transform.TypeString, "number": transform.TypeNumber,
	"boolean": transform.TypeBoolean, "timestamp": transform.TypeTime, "timestamp_epoch": transform.TypeTime,
	"timestamp_epoch_s": transform.TypeTime}

func columnsOf(c *conv, t map[string]any, typ string) {
	pl := c.pipeline()
	seen := map[string]bool{}
	for _, col := range objects(t["columns"]) {
		sel := strings.TrimSpace(str(col["selector"]))
		name := str(col["text"])
		if name == "" {
			name = sel
		}
		if name == "" {
			continue
		}
		for base, n := name, 2; seen[name]; n++ {
			name = fmt.Sprintf("%s %d", base, n)
		}
		seen[name] = true
		rc := transform.Column{Name: name}
		switch typ {
		case "json", "graphql":
			s, err := lodashToGjson(sel)
			if err != nil {
				c.skip("column %q: selector %q: %v", name, sel, err)
				return
			}
			rc.Selector = s
		case "xml":
			rc.Selector = xmlSelector(sel)
		default:
			rc.Selector = sel
		}
		if rc.Selector == name {
			rc.Selector = ""
		}
		ct := str(col["type"])
		if rt, ok := infinityColumnTypes[ct]; ok {
			rc.Type = rt
		} else if ct != "" {
			c.partial("column %q: type %q unknown; inferred instead", name, ct)
		}
		switch ct {
		case "timestamp_epoch":
			rc.TimeFormat = "unix_ms"
		case "timestamp_epoch_s":
			rc.TimeFormat = "unix_s"
		case "timestamp":
			if f := str(col["timestampFormat"]); f != "" {
				rc.TimeFormat = f // Infinity's backend formats are Go layouts, as Relay's
			}
		}
		if rc.TimeFormat != "" {
			rc.Type = ""
		}
		pl.Columns = append(pl.Columns, rc)
	}
}

// filtersOf converts the frontend parser's filters (all must hold).
func filtersOf(c *conv, t map[string]any) {
	var parts []string
	for _, f := range objects(t["filters"]) {
		field := str(f["field"])
		vals, _ := f["value"].([]any)
		v := ""
		if len(vals) > 0 {
			v = str(vals[0])
		}
		e, err := filterExpr(envRef(field), str(f["operator"]), v)
		if err != nil {
			c.partial("filter on %q dropped: %v", field, err)
			continue
		}
		parts = append(parts, e)
	}
	if len(parts) > 0 {
		c.addStep(&transform.FilterStep{Expr: strings.Join(parts, " && ")})
	}
}

func filterExpr(f, op, v string) (string, error) {
	q := strconv.Quote(v)
	s := "string(" + f + ")"
	switch op {
	case "equals":
		return s + " == " + q, nil
	case "notequals":
		return s + " != " + q, nil
	case "contains":
		return s + " contains " + q, nil
	case "notcontains":
		return "!(" + s + " contains " + q + ")", nil
	case "starswith":
		return s + " startsWith " + q, nil
	case "endswith":
		return s + " endsWith " + q, nil
	case "equals_ignorecase":
		return "lower(" + s + ") == lower(" + q + ")", nil
	case "notequals_ignorecase":
		return "lower(" + s + ") != lower(" + q + ")", nil
	case "contains_ignorecase":
		return "lower(" + s + ") contains lower(" + q + ")", nil
	case "notcontains_ignorecase":
		return "!(lower(" + s + ") contains lower(" + q + "))", nil
	case "starswith_ignorecase":
		return "lower(" + s + ") startsWith lower(" + q + ")", nil
	case "endswith_ignorecase":
		return "lower(" + s + ") endsWith lower(" + q + ")", nil
	case "regex":
		if _, err := regexp.Compile(v); err != nil {
			return "", fmt.Errorf("regex %q is not valid in Go's syntax", v)
		}
		return s + " matches " + q, nil
	case "regex_not":
		if _, err := regexp.Compile(v); err != nil {
			return "", fmt.Errorf("regex %q is not valid in Go's syntax", v)
		}
		return "!(" + s + " matches " + q + ")", nil
	case "in", "notin":
		items := strings.Split(v, ",")
		for i := range items {
			items[i] = strconv.Quote(items[i])
		}
		e := s + " in [" + strings.Join(items, ", ") + "]"
		if op == "notin" {
			e = "!(" + e + ")"
		}
		return e, nil
	case "==", "!=", "<", "<=", ">", ">=":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", fmt.Errorf("%s needs a number, not %q", op, v)
		}
		return "float(" + f + ") " + op + " " + v, nil
	}
	return "", fmt.Errorf("operator %q unknown", op)
}

var infinityFormats = map[string]string{"table": "table", "timeseries": "timeseries", "logs": "logs", "trace": "trace",
	"node-graph-nodes": "nodegraph", "node-graph-edges": "nodegraph", "dataframe": "table", "as-is": "table"}

func infinityFormat(c *conv, t map[string]any) {
	f := str(t["format"])
	if f == "" {
		return
	}
	rf, ok := infinityFormats[f]
	if !ok {
		c.partial("format %q unknown: table instead", f)
		return
	}
	if f == "dataframe" || f == "as-is" {
		c.note("format %s: Relay returns the table it builds", f)
	}
	if rf != "table" {
		c.rq.Format = rf
	}
}

// infinityPagination converts the backend parser's pagination.
func infinityPagination(c *conv, t map[string]any, parser string) {
	mode := str(t["pagination_mode"])
	if mode == "" || mode == "none" {
		return
	}
	if len(c.rq.Data) > 0 {
		return
	}
	p := &query.Pagination{Mode: query.PaginationMode(mode)}
	if n, ok := num(t["pagination_max_pages"]); ok && n > 0 {
		p.MaxPages = int(n)
	}
	in := func(key string) (string, bool) {
		switch str(t[key]) {
		case "", "query":
			return "query", true
		case "header":
			return "header", true
		case "body_data", "body_json":
			return "body", true
		}
		return "", false
	}
	where := map[string]string{}
	sizeName := orStr(str(t["pagination_param_size_field_name"]), "limit")
	size, _ := num(t["pagination_param_size_value"])
	if size == 0 {
		size = 1000
	}
	check := func(keys ...string) bool {
		for _, k := range keys {
			w, ok := in(k)
			if !ok {
				c.partial("pagination %s %q (replacing a part of the URL) has no Relay equivalent: pagination dropped", k, str(t[k]))
				return false
			}
			where[k] = w
		}
		return true
	}
	switch mode {
	case "offset":
		if !check("pagination_param_size_field_type", "pagination_param_offset_field_type") {
			return
		}
		p.OffsetParam = orStr(str(t["pagination_param_offset_field_name"]), "offset")
		p.LimitParam, p.PageSize = sizeName, int(size)
		if off, _ := num(t["pagination_param_offset_value"]); off != 0 {
			c.partial("pagination starts at offset %g in Infinity; Relay starts at 0", off)
		}
	case "page":
		if !check("pagination_param_size_field_type", "pagination_param_page_field_type") {
			return
		}
		p.PageParam = orStr(str(t["pagination_param_page_field_name"]), "page")
		p.LimitParam, p.PageSize = sizeName, int(size)
		if s, _ := num(t["pagination_param_page_value"]); s > 0 {
			p.StartPage = int(s)
		}
	case "cursor":
		if !check("pagination_param_cursor_field_type") {
			return
		}
		p.CursorParam = orStr(str(t["pagination_param_cursor_field_name"]), "cursor")
		path, err := lodashToGjson(str(t["pagination_param_cursor_extraction_path"]))
		if err != nil || path == "" {
			c.partial("pagination cursor extraction path %q has no Relay equivalent: pagination dropped", str(t["pagination_param_cursor_extraction_path"]))
			return
		}
		p.CursorPath = path
		if n := str(t["pagination_param_size_field_name"]); n != "" {
			c.addParam(n, strconv.Itoa(int(size)))
		}
	case "list":
		if !check("pagination_param_list_field_type") {
			return
		}
		p.ValueParam = str(t["pagination_param_list_field_name"])
		for _, v := range strings.Split(str(t["pagination_param_list_value"]), ",") {
			if v = strings.TrimSpace(v); v != "" {
				p.Values = append(p.Values, v)
			}
		}
		p.MaxPages = 0
	default:
		c.partial("pagination mode %q unknown: dropped", mode)
		return
	}
	ins := map[string]bool{}
	for _, w := range where {
		ins[w] = true
	}
	if len(ins) > 1 {
		c.partial("pagination parameters go to several places (%v); Relay sends them all the same way: %s", where, firstIn(where))
	}
	p.In = firstIn(where)
	if parser != "backend" && parser != "jq-backend" {
		c.note("Infinity paginates only with the backend parser; Relay paginates this query")
	}
	// Relay's engine reads every page in its format: XML, HTML and jq roots paginate too.
	c.rq.Pagination = p
}

func firstIn(where map[string]string) string {
	for _, k := range []string{"pagination_param_list_field_type", "pagination_param_cursor_field_type", "pagination_param_page_field_type", "pagination_param_offset_field_type", "pagination_param_size_field_type"} {
		if w, ok := where[k]; ok {
			return w
		}
	}
	return "query"
}

func orStr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// lodashToGjson converts a lodash path (data.items, a[0].b, ['x y']) or a
// plain JSONata path ($.data.items) to gjson. Anything with operators,
// functions or predicates is refused.
func lodashToGjson(p string) (string, error) {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$."), "$")
	if p == "" {
		return "", nil
	}
	var parts []string
	i := 0
	for i < len(p) {
		switch {
		case p[i] == '.':
			i++
		case p[i] == '[':
			end := matchBracket(p[i:])
			if end < 0 {
				return "", fmt.Errorf("unclosed [")
			}
			in := strings.TrimSpace(p[i+1 : i+end])
			i += end + 1
			if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0] {
				parts = append(parts, gjsonKey(in[1:len(in)-1]))
			} else if _, err := strconv.Atoi(in); err == nil {
				parts = append(parts, in)
			} else {
				return "", fmt.Errorf("[%s] is not a key or an index", in)
			}
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			key := p[i:j]
			if strings.ContainsAny(key, " ()*=<>&|!?:,$\"'{}+") {
				return "", fmt.Errorf("%q is not a plain path", p)
			}
			parts = append(parts, gjsonKey(key))
			i = j
		}
	}
	return strings.Join(parts, "."), nil
}

// xmlRoot converts the frontend parser's root (a lodash path over xml2js's
// object, rss.channel[0].item) to Relay's element path (/rss/channel/item).
func xmlRoot(p string) (string, error) {
	var parts []string
	for _, seg := range strings.Split(p, ".") {
		seg = regexp.MustCompile(`\[\d+\]`).ReplaceAllString(seg, "")
		if seg == "" {
			continue
		}
		if strings.ContainsAny(seg, "[]$*() ") {
			return "", fmt.Errorf("%q is not an element path", p)
		}
		parts = append(parts, seg)
	}
	return "/" + strings.Join(parts, "/"), nil
}

// xmlSelector converts a column selector over xml2js's object ($.id for an
// attribute, _ for text, title[0] for a child) to Relay's (@id, #text, title).
func xmlSelector(s string) string {
	s = regexp.MustCompile(`\[0\]`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`\$\.`).ReplaceAllString(s, "@")
	parts := strings.Split(s, ".")
	for i, p := range parts {
		if p == "_" {
			parts[i] = "#text"
		}
	}
	return strings.Join(parts, ".")
}
