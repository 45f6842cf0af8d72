package migrate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/transform"
)

// The UQL commands that reshape columns (project, project kv, summarize) and
// the name and assignment lists they read.

// names reads "a", "b", … (top-level names only, as project-away).
func (u *uqlConv) names(p *exprParser) ([]string, error) {
	var out []string
	for {
		t := p.next()
		if t.kind != tDQuote {
			return nil, fmt.Errorf("expected \"column\", found %s", t)
		}
		out = append(out, t.text)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("unexpected %s", p.peek())
	}
	return out, nil
}

type assignment struct {
	name  string
	value node
	plain bool // "a" alone: the column (or path) itself
}

// assignments reads "name"=expr or "field", … . needName: every item has a name=.
func (u *uqlConv) assignments(p *exprParser, needName bool) ([]assignment, error) {
	var out []assignment
	for {
		t := p.peek()
		if t.kind == tDQuote && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].text == "=" {
			p.next()
			p.next()
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			out = append(out, assignment{name: t.text, value: v})
		} else {
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			if call, ok := v.(*nCall); ok && !needName { // UQL names an unnamed function by the function
				out = append(out, assignment{name: call.name, value: v})
			} else if f, ok := v.(*nField); ok && !needName {
				out = append(out, assignment{name: strings.Join(f.path, "."), value: v, plain: true})
			} else {
				return nil, fmt.Errorf("expected \"name\"=expression")
			}
		}
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("unexpected %s", p.peek())
	}
	return out, nil
}

// project keeps (and computes) the listed columns. First in the query and
// with only paths, it becomes the pipeline's columns; otherwise compute steps
// and a select step.
func (u *uqlConv) project(p *exprParser) error {
	items, err := u.assignments(p, false)
	if err != nil {
		return err
	}
	pl := u.c.pipeline()
	allPaths := true
	for _, it := range items {
		if _, ok := it.value.(*nField); !ok {
			allPaths = false
		}
	}
	if allPaths && u.steps == 0 && len(pl.Columns) == 0 && pl.RootSyntax != "jq" && pl.Format != transform.FormatCSV {
		for _, it := range items {
			f := it.value.(*nField)
			col := transform.Column{Name: it.name}
			sel := gjsonFieldPath(f.path)
			if pl.Format == transform.FormatXML {
				sel = strings.Join(f.path, ".")
			}
			if sel != it.name {
				col.Selector = sel
			}
			pl.Columns = append(pl.Columns, col)
		}
		u.columns = map[string]bool{}
		for _, it := range items {
			u.columns[it.name] = true
		}
		return nil
	}
	var keep []string
	for _, it := range items {
		keep = append(keep, it.name)
		if f, ok := it.value.(*nField); ok && it.plain && (len(f.path) == 1 || u.columns[it.name]) {
			continue // the column itself
		}
		e, err := it.value.emit(u.ctx())
		if err != nil {
			return err
		}
		u.c.addStep(&transform.ComputeStep{Name: it.name, Expr: trimOuter(e)})
	}
	u.c.addStep(&transform.SelectStep{Fields: keep})
	u.columns = map[string]bool{}
	for _, k := range keep {
		u.columns[k] = true
	}
	u.steps++
	return nil
}

// kv turns an object into key/value rows (project kv(), kv("path")): a jq
// root, so only first, after parse and scope.
func (u *uqlConv) kv(p *exprParser) error {
	p.next()
	if err := p.expect("("); err != nil {
		return err
	}
	var path []string
	if t := p.peek(); t.kind == tDQuote {
		p.next()
		path = splitPath(t.text)
	}
	if err := p.expect(")"); err != nil {
		return err
	}
	if p.peek().kind != tEOF {
		return fmt.Errorf("project kv() stands alone")
	}
	pl := u.c.pipeline()
	if u.steps > 0 || len(pl.Columns) > 0 || pl.Format == transform.FormatCSV || pl.Format == transform.FormatXML || u.kvDone {
		return fmt.Errorf("project kv() converts only first, on JSON")
	}
	var keys []string
	if pl.Root != "" {
		for _, k := range strings.Split(pl.Root, ".") {
			if strings.ContainsAny(k, `\#|@*?`) {
				return fmt.Errorf("project kv() after scope %q has no Relay equivalent", pl.Root)
			}
			keys = append(keys, strconv.Quote(k))
		}
	}
	for _, k := range path {
		keys = append(keys, strconv.Quote(k))
	}
	prog := "to_entries | map({key, value})"
	if len(keys) > 0 {
		prog = "getpath([" + strings.Join(keys, ", ") + "]) | " + prog
	}
	pl.Root, pl.RootSyntax = prog, "jq"
	u.columns = map[string]bool{"key": true, "value": true}
	u.kvDone = true
	return nil
}

var uqlAggregates = map[string]string{"count": "count", "sum": "sum", "min": "min", "max": "max", "mean": "avg",
	"avg": "avg", "first": "first", "last": "last", "dcount": "distinct"}

// summarize: "alias"=agg("field"), … by "a", "b".
func (u *uqlConv) summarize(p *exprParser) error {
	g := &transform.GroupByStep{}
	for {
		name := ""
		if t := p.peek(); t.kind == tDQuote && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].text == "=" {
			p.next()
			p.next()
			name = t.text
		}
		t := p.next()
		if t.kind != tWord || !p.isOp("(") {
			return fmt.Errorf("expected an aggregate such as count() or sum(\"field\"), found %s", t)
		}
		fn := strings.ToLower(t.text)
		op, ok := uqlAggregates[fn]
		if !ok {
			return fmt.Errorf("aggregate %s() has no Relay equivalent", fn)
		}
		p.next()
		field := ""
		if a := p.peek(); a.kind == tDQuote {
			p.next()
			field = a.text
		}
		if err := p.expect(")"); err != nil {
			return fmt.Errorf("%s(): %v", fn, err)
		}
		if field == "" && op != "count" {
			return fmt.Errorf("%s() needs a \"field\"", fn)
		}
		if name == "" {
			name = fn // UQL names an unaliased aggregate by its function
			if field != "" {
				name = fn + "_" + field
			}
			u.c.note("summarize: the unnamed aggregate %s(%s) is named %q; alias it (\"name\"=%s(…)) to be sure of the name", fn, field, name, fn)
		}
		g.Aggregates = append(g.Aggregates, transform.Aggregate{Op: op, Field: field, As: name})
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if p.isWord("by") {
		p.next()
		names, err := u.names(p)
		if err != nil {
			return err
		}
		for _, n := range names {
			g.By = append(g.By, transform.Key{Field: n})
		}
	} else if p.peek().kind != tEOF {
		return fmt.Errorf("unexpected %s", p.peek())
	}
	u.c.addStep(g)
	u.columns = map[string]bool{}
	for _, k := range g.By {
		u.columns[k.Field] = true
	}
	for _, a := range g.Aggregates {
		u.columns[a.As] = true
	}
	u.steps++
	return nil
}
