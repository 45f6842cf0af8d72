package transform

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Format "html" parses the page with golang.org/x/net/html (the HTML5
// parsing algorithm, so implicit <tbody>, unclosed <td> and the like read as
// a browser reads them) and selects rows with a CSS selector (cascadia):
// root "table#svc tr". Without a root, the rows are those of the page's
// first <table>.
//
// Cells of a row are its <td>/<th> children; colspan repeats a cell over the
// columns it spans and rowspan down the rows (as pandas.read_html does). A
// first row of only <th> cells names the columns (duplicates get _2, …) when
// no columns are given; without one the columns are col1, col2, …. A row
// without cells is one cell, its text. Text is the element's text with runs
// of white space collapsed and trimmed; types are inferred from the text as
// for CSV.
//
// Explicit columns: a selector is a header name, "@attr" (the row element's
// attribute), or a CSS selector relative to the row, optionally ending in
// "@attr" for an attribute of the first match instead of its text
// ("td:nth-child(2)", "a@href"); no selector means the header of the column's
// name.

const (
	htmlMaxDepth = 512
	htmlMaxSpan  = 1000 // the HTML standard's limit for colspan
)

func parseHTMLRoot(root string) (cascadia.SelectorGroup, *ValidationError) {
	if root == "" {
		return nil, nil
	}
	sel, err := cascadia.ParseGroup(root)
	if err != nil {
		return nil, verr("root", "invalid CSS selector %q: %s (e.g. table#svc tr, ul.items > li)", root, err)
	}
	return sel, nil
}

// checkHTMLColumns: a column selector may be a header name, so only CSS that
// parses is used as CSS (see htmlColumn); nothing to refuse up front.
func (p *Pipeline) checkHTMLColumns() *ValidationError { return nil }

// htmlDoc is a parsed page and its rows.
type htmlDoc struct {
	rows   []*html.Node
	header []string // from a first row of <th> cells; nil when none
	recs   [][]string
	width  int
}

func parseHTMLDoc(ctx context.Context, body []byte, root string, maxRows int, sample bool) (*htmlDoc, error) {
	sel, ve := parseHTMLRoot(root)
	if ve != nil {
		return nil, pipelineError(ve)
	}
	doc, err := html.ParseWithOptions(bytes.NewReader(body), html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, inputError("invalid HTML: %s", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	if depth := htmlDepth(doc); depth > htmlMaxDepth {
		return nil, inputError("invalid HTML: elements nested deeper than %d levels", htmlMaxDepth)
	}
	d := &htmlDoc{}
	if sel != nil {
		d.rows = cascadia.QueryAll(doc, sel)
	} else if t := cascadia.Query(doc, cascadia.MustCompile("table")); t != nil {
		d.rows = tableRows(t)
	}
	d.cells(ctx, maxRows, sample)
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	if d.recs == nil && !sample && len(d.rows) > maxRows {
		return nil, tooManyRows(maxRows)
	}
	return d, nil
}

// htmlDepth is the depth of the tree, walked without recursion.
func htmlDepth(doc *html.Node) int {
	depth, maxDepth := 0, 0
	for n := doc; n != nil; {
		if n.FirstChild != nil {
			n = n.FirstChild
			depth++
			maxDepth = max(maxDepth, depth)
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
			depth--
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	return maxDepth
}

// tableRows lists the <tr> of table t, in <thead>, <tbody>, <tfoot> or
// directly, but not those of nested tables.
func tableRows(t *html.Node) []*html.Node {
	var rows []*html.Node
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		switch c.DataAtom {
		case atom.Tr:
			rows = append(rows, c)
		case atom.Thead, atom.Tbody, atom.Tfoot:
			for r := c.FirstChild; r != nil; r = r.NextSibling {
				if r.DataAtom == atom.Tr {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}

type pendingSpan struct {
	text string
	left int // rows still covered
}

// cells builds the text grid of the rows, expanding spans; the first row of
// only <th> cells becomes the header. Rows after maxRows are an error later
// (or dropped quietly when sampling).
func (d *htmlDoc) cells(ctx context.Context, maxRows int, sample bool) {
	var pending []pendingSpan
	for ri, row := range d.rows {
		if ri%ctxCheckEvery == 0 && ctx.Err() != nil {
			return
		}
		var rec []string
		allTH, anyCell := true, false
		col := 0
		fill := func() { // cells carried down by rowspans at the current position
			for col < len(pending) && pending[col].left > 0 {
				rec = append(rec, pending[col].text)
				pending[col].left--
				col++
			}
		}
		for c := row.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
				continue
			}
			anyCell = true
			allTH = allTH && c.DataAtom == atom.Th
			fill()
			text := nodeText(c)
			cs, rs := spanAttr(c, "colspan"), spanAttr(c, "rowspan")
			for k := 0; k < cs && col < htmlMaxSpan; k++ {
				rec = append(rec, text)
				for len(pending) <= col {
					pending = append(pending, pendingSpan{})
				}
				pending[col] = pendingSpan{text: text, left: rs - 1}
				col++
			}
		}
		fill()
		if !anyCell {
			rec = []string{nodeText(row)}
			allTH = false
		}
		if allTH {
			if d.header == nil && len(d.recs) == 0 {
				d.header = rec
				d.width = max(d.width, len(rec))
			}
			continue // repeated header rows of long tables are not data
		}
		if len(d.recs) >= maxRows {
			if !sample {
				d.recs = nil // signals too many rows
			}
			return
		}
		d.recs = append(d.recs, rec)
		d.width = max(d.width, len(rec))
	}
	if d.recs == nil {
		d.recs = [][]string{}
	}
}

func spanAttr(n *html.Node, name string) int {
	for _, a := range n.Attr {
		if a.Key == name {
			v, err := strconv.Atoi(strings.TrimSpace(a.Val))
			if err != nil || v < 1 {
				return 1
			}
			return min(v, htmlMaxSpan)
		}
	}
	return 1
}

// nodeText is the element's text, white space collapsed and trimmed; <br>
// separates, <script> and <style> are not text.
func nodeText(n *html.Node) string {
	var sb strings.Builder
	space := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				for _, r := range c.Data {
					if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\u00a0' {
						space = sb.Len() > 0
						continue
					}
					if space {
						sb.WriteByte(' ')
						space = false
					}
					sb.WriteRune(r)
				}
			case html.ElementNode:
				switch c.DataAtom {
				case atom.Script, atom.Style, atom.Template:
					continue
				case atom.Br:
					space = sb.Len() > 0
					continue
				}
				walk(c)
			}
		}
	}
	walk(n)
	return sb.String()
}

func attrOf(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

// htmlColumn is an explicit column's way of reading a row.
type htmlColumn struct {
	pos  int              // header position, or -1
	sel  cascadia.Matcher // CSS relative to the row, or nil
	attr string           // attribute to read instead of text
	none bool             // nothing to read: all null (with a notice)
}

func resolveHTMLColumn(c Column, header []string, ns *notices) htmlColumn {
	sel := c.Selector
	if sel == "" {
		sel = c.Name
	}
	for j, h := range header {
		if h == sel {
			return htmlColumn{pos: j}
		}
	}
	hc := htmlColumn{pos: -1}
	if strings.HasPrefix(sel, "@") {
		hc.attr = strings.TrimSpace(sel[1:])
		return hc
	}
	css := sel
	if i := strings.LastIndexByte(sel, '@'); i > 0 && !strings.ContainsAny(sel[i:], "]\"'") {
		css, hc.attr = strings.TrimSpace(sel[:i]), strings.TrimSpace(sel[i+1:])
	}
	m, err := cascadia.ParseGroup(css)
	if err != nil {
		hc.none = true
		if c.Selector == "" {
			ns.warn("column %q: no header cell named %q; all values are null", c.Name, sel)
		} else {
			ns.warn("column %q: %q is neither a header cell nor a valid CSS selector (%s); all values are null", c.Name, sel, err)
		}
		return hc
	}
	hc.sel = m
	return hc
}

func (hc htmlColumn) read(row *html.Node, rec []string) string {
	switch {
	case hc.none:
		return ""
	case hc.pos >= 0:
		if hc.pos < len(rec) {
			return rec[hc.pos]
		}
		return ""
	case hc.sel == nil:
		v, _ := attrOf(row, hc.attr)
		return strings.TrimSpace(v)
	}
	n := cascadia.Query(row, hc.sel)
	if n == nil {
		return ""
	}
	if hc.attr != "" {
		v, _ := attrOf(n, hc.attr)
		return strings.TrimSpace(v)
	}
	return nodeText(n)
}

// readHTML reads the rows into a table: inferred columns from the header
// (or col1…), or the explicit ones; cells are text as in CSV.
func readHTML(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices, sample bool) (*table, error) {
	d, err := parseHTMLDoc(ctx, body, p.Root, lim.MaxRows, sample)
	if err != nil {
		return nil, err
	}
	if p.Root != "" && len(d.rows) == 0 {
		ns.warn("root %q matched nothing in the page; no rows", p.Root)
	} else if p.Root == "" && len(d.rows) == 0 {
		ns.warn("the page has no <table>; set root to a CSS selector of the rows")
	}
	n := len(d.recs)
	var tb *tableBuilder
	var recs [][]string
	if len(p.Columns) == 0 {
		names := csvNames(d.header, d.width)
		if err := checkSize(lim, n, len(names)); err != nil {
			return nil, err
		}
		tb = &tableBuilder{lim: lim, hint: n, text: &textBudget{left: textBudgetFactor * lim.MaxInputBytes}}
		for _, name := range names {
			b := tb.newCol(name)
			b.key = name
			tb.cols = append(tb.cols, b)
		}
		recs = d.recs
	} else {
		if err := checkSize(lim, n, len(p.Columns)); err != nil {
			return nil, err
		}
		tb = newTableBuilder(p, n, lim, true)
		hcs := make([]htmlColumn, len(p.Columns))
		for j, c := range p.Columns {
			hcs[j] = resolveHTMLColumn(c, d.header, ns)
		}
		// With explicit columns, rows are those with data (header rows skipped).
		dataRows := d.dataRows()
		recs = make([][]string, n)
		for i := range recs {
			if i%ctxCheckEvery == 0 && ctx.Err() != nil {
				return nil, timeoutError(ctx.Err())
			}
			rec := make([]string, len(hcs))
			for j, hc := range hcs {
				rec[j] = hc.read(dataRows[i], d.recs[i])
			}
			recs[i] = rec
		}
	}
	feed := func(b *tableBuilder, idx []int) error {
		for i, rec := range recs {
			for k, ci := range idx {
				if ci < len(rec) {
					b.cols[k].putText(i, rec[ci])
				}
			}
			if b.text.left < 0 {
				return textTooLarge(lim)
			}
		}
		return nil
	}
	all := make([]int, len(tb.cols))
	for j := range all {
		all[j] = j
	}
	if err := feed(tb, all); err != nil {
		return nil, err
	}
	if again := tb.resolve(ns, false); len(again) > 0 {
		if err := feed(tb.rereadBuilder(again), again); err != nil {
			return nil, err
		}
	}
	return tb.finish(n, ns), nil
}

// dataRows are the row elements behind recs (rows of only <th> skipped).
func (d *htmlDoc) dataRows() []*html.Node {
	out := make([]*html.Node, 0, len(d.recs))
	for _, row := range d.rows {
		if len(out) == len(d.recs) {
			break
		}
		if isHeaderRow(row) {
			continue
		}
		out = append(out, row)
	}
	return out
}

func isHeaderRow(row *html.Node) bool {
	any := false
	for c := row.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Th:
			any = true
		case atom.Td:
			return false
		}
	}
	return any
}

// htmlSchema lists the columns of an HTML page (for InferSchema).
func htmlSchema(ctx context.Context, body []byte, p *Pipeline, sampleRows int) ([]FieldInfo, error) {
	ns := &notices{}
	t, err := readHTML(ctx, body, &Pipeline{Format: FormatHTML, Root: p.Root}, Limits{MaxRows: sampleRows}.withDefaults(), ns, true)
	if err != nil {
		return nil, err
	}
	out := make([]FieldInfo, len(t.cols))
	for i, c := range t.cols {
		out[i] = FieldInfo{Path: c.name, Type: c.typ.String(), Nullable: hasNull(c)}
	}
	return out, nil
}
