package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/transform"
)

// Infinity's parser settings around the root: CSV options, columns and their
// types, filters, the summary and the output format.

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
