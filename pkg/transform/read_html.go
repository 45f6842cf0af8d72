package transform

import (
	"context"

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
	sel, err := parseCSS(root)
	if err != nil {
		return nil, verr("root", "invalid CSS selector %q: %s (e.g. table#svc tr, ul.items > li)", root, err)
	}
	return sel, nil
}

// htmlDoc is a parsed page and its rows.
type htmlDoc struct {
	rows   []*html.Node // the row elements (DOM path only)
	header []string     // from a first row of <th> cells; nil when none
	recs   [][]string
	data   []int // index in rows of each record (DOM path only)
	width  int
	nrows  int       // rows selected, header rows included
	stats  *domStats // the page's statistics (DOM path only), to cost column selectors
}

// streamHTMLDoc is the token-stream path (read_html_stream.go): nil when the
// root, the columns or the page need the DOM.
func streamHTMLDoc(ctx context.Context, body []byte, p *Pipeline, lim Limits, sample bool) (*htmlDoc, error) {
	tr, ok := parseTableRoot(p.Root)
	if !ok {
		return nil, nil
	}
	rows, ok, serr := streamTable(ctx, body, tr)
	if serr != nil {
		return nil, serr
	}
	if !ok {
		return nil, nil
	}
	d := &htmlDoc{nrows: len(rows)}
	if err := d.grid(rows, lim, sample); err != nil {
		return nil, err
	}
	for _, c := range p.Columns {
		if resolveHTMLColumn(c, d.header, &notices{}).pos < 0 {
			return nil, nil // a column selects with CSS or an attribute
		}
	}
	return d, nil
}

// htmlRow is one row as the grid builder sees it, from the DOM or the token stream.
type htmlRow struct {
	cells   []htmlCell
	text    string // the row's text, for rows without cells
	anyCell bool
}

type htmlCell struct {
	text             string
	th               bool
	colspan, rowspan int
}

func parseHTMLDoc(ctx context.Context, body []byte, root string, lim Limits, sample bool) (*htmlDoc, error) {
	sel, ve := parseHTMLRoot(root)
	if ve != nil {
		return nil, pipelineError(ve)
	}
	doc, err := parseHTMLCharged(ctx, body, lim)
	if err != nil {
		return nil, err
	}
	st := htmlStats(doc)
	if st.depth > htmlMaxDepth {
		return nil, inputError("invalid HTML: elements nested deeper than %d levels", htmlMaxDepth)
	}
	d := &htmlDoc{stats: st}
	if sel != nil {
		if err := st.checkCSSCost("root", root, sel, float64(st.nodes)); err != nil {
			return nil, err
		}
		if d.rows, err = queryAll(ctx, doc, sel, false); err != nil {
			return nil, err
		}
	} else if t := cascadia.Query(doc, cascadia.MustCompile("table")); t != nil {
		d.rows = tableRows(t)
	}
	d.nrows = len(d.rows)
	rows := make([]htmlRow, len(d.rows))
	m := &meter{lim: lim} // a row's text is its subtree's: rows nested in rows repeat it
	for i, n := range d.rows {
		if i%ctxCheckEvery == 0 && ctx.Err() != nil {
			return nil, timeoutError(ctx.Err())
		}
		rows[i] = domRow(n)
		if err := m.add(rows[i].size()); err != nil {
			return nil, err
		}
	}
	if err := d.grid(rows, lim, sample); err != nil {
		return nil, err
	}
	return d, nil
}

// size is the row's memory, roughly.
func (r htmlRow) size() int64 {
	n := int64(len(r.text)) + 64
	for _, c := range r.cells {
		n += int64(len(c.text)) + 48
	}
	return n
}

// domRow reads a row element: its <td>/<th> children, or its text.
func domRow(row *html.Node) htmlRow {
	var r htmlRow
	for c := row.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
			continue
		}
		r.anyCell = true
		r.cells = append(r.cells, htmlCell{text: nodeText(c), th: c.DataAtom == atom.Th,
			colspan: spanAttr(c, "colspan"), rowspan: spanAttr(c, "rowspan")})
	}
	if !r.anyCell {
		r.text = nodeText(row)
	}
	return r
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

// htmlPage reads a page's rows as records: with inferred columns the cells
// by position (names from the header, or col1…), with explicit ones one
// cell per column; cells are text as in CSV.
func htmlPage(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices, sample bool) (*recordPage, error) {
	d, err := streamHTMLDoc(ctx, body, p, lim, sample)
	if err != nil {
		return nil, err
	}
	if d == nil {
		if d, err = parseHTMLDoc(ctx, body, p.Root, lim, sample); err != nil {
			return nil, err
		}
	}
	if p.Root != "" && d.nrows == 0 {
		ns.warn("root %q matched nothing in the page; no rows", p.Root)
	} else if p.Root == "" && d.nrows == 0 {
		ns.warn("the page has no <table> with rows; set root to a CSS selector of the rows")
	}
	if len(p.Columns) == 0 {
		return newRecordPage(csvNames(d.header, d.width), d.recs, label), nil
	}
	hcs := make([]htmlColumn, len(p.Columns))
	for j, c := range p.Columns {
		hcs[j] = resolveHTMLColumn(c, d.header, ns)
	}
	// With explicit columns, rows are those with data (header rows skipped).
	// The stream path has no row elements: its columns all read header cells.
	dataRows := d.dataRows()
	if err := d.checkColumnCost(hcs, dataRows); err != nil {
		return nil, err
	}
	recs := make([][]string, len(d.recs))
	m := &meter{lim: lim}
	for i := range recs {
		if i%ctxCheckEvery == 0 && ctx.Err() != nil {
			return nil, timeoutError(ctx.Err())
		}
		rec := make([]string, len(hcs))
		for j, hc := range hcs {
			var row *html.Node
			if dataRows != nil {
				row = dataRows[i]
			}
			if rec[j], err = hc.read(ctx, row, d.recs[i]); err != nil {
				return nil, err
			}
			if err := m.add(int64(len(rec[j])) + 16); err != nil {
				return nil, err
			}
		}
		recs[i] = rec
	}
	return explicitRecordPage(recs, p, label), nil
}

// dataRows are the row elements behind recs (rows of only <th> skipped).
func (d *htmlDoc) dataRows() []*html.Node {
	if d.rows == nil {
		return nil
	}
	out := make([]*html.Node, len(d.data))
	for i, ri := range d.data {
		out[i] = d.rows[ri]
	}
	return out
}

// htmlSchema lists the columns of an HTML page (for InferSchema).
func htmlSchema(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error) {
	sample := &Pipeline{Format: FormatHTML, Root: p.Root}
	pg, err := htmlPage(ctx, body, nil, sample, lim, ns, true)
	if err != nil {
		return nil, err
	}
	t, err := recordsTable(ctx, []pageRows{pg}, sample, lim, ns)
	if err != nil {
		return nil, err
	}
	return t.fieldInfo(), nil
}
