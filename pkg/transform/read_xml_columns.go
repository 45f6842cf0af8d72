package transform

import (
	"bytes"
	"context"
	"math"
	"strings"

	"github.com/tidwall/gjson"
)

// XML straight into columns. When every column is typed and its selector is
// one or two plain steps ("title", "@id", "#text", "price.@currency",
// "price.#text", "tags.tag"), each row's element tree is read into the
// columns directly, as the JSON rows would be read — the same values, nulls
// and conversions — without writing and re-parsing the JSON: about a
// quarter of the time and the JSON text's memory. Inferred columns, untyped
// ones and other gjson paths take the JSON route (read_xml.go).

// xmlSel is a column selector of one or two steps.
type xmlSel struct {
	steps []string // each "@attr", "#text" or a child's local name
}

// directXMLColumns returns the selectors when every column can be read directly.
func directXMLColumns(p *Pipeline) ([]xmlSel, bool) {
	if len(p.Columns) == 0 {
		return nil, false
	}
	sels := make([]xmlSel, len(p.Columns))
	for i, c := range p.Columns {
		if c.colType() == tUnknown {
			return nil, false // inference may need a second read
		}
		sel := c.Selector
		if sel == "" {
			sel = c.Name
		}
		steps := strings.Split(sel, ".")
		if len(steps) > 2 {
			return nil, false
		}
		for _, s := range steps {
			if !directStep(s) {
				return nil, false
			}
		}
		sels[i] = xmlSel{steps: steps}
	}
	return sels, true
}

// directStep: a plain key gjson resolves to the member of that name (no
// escapes, wildcards, indexes, modifiers or queries).
func directStep(s string) bool {
	switch {
	case s == "#text":
		return true
	case strings.HasPrefix(s, "@"): // a key, unless gjson knows it as a modifier (@this, @keys, …)
		return validXMLName(s[1:]) && !gjson.ModifierExists(s[1:], nil)
	}
	return validXMLName(s) && !isAllDigits(s)
}

func isAllDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// xmlDirect fills the columns from each row's node tree.
type xmlDirect struct {
	tb      *tableBuilder
	sels    []xmlSel
	scratch []byte
	lim     Limits
	fresh   func() *tableBuilder
}

// reset starts the columns again (the fast tokenizer declined the document).
func (x *xmlDirect) reset() { x.tb = x.fresh() }

func readXMLColumns(ctx context.Context, body []byte, p *Pipeline, sels []xmlSel, lim Limits, ns *notices) (*table, error) {
	path, ve := parseXMLPath(p.Root)
	if ve != nil {
		return nil, pipelineError(ve)
	}
	if err := checkSize(lim, 0, len(p.Columns)); err != nil {
		return nil, err
	}
	// Rows are not counted up front: the start tags of the path's last step
	// (an estimate: "<row" also counts "<rows") size the first backing arrays.
	hint := 256
	if last := path.steps[len(path.steps)-1]; last.local != "*" {
		tag := "<" + last.local
		if last.prefix != "" {
			tag = "<" + last.prefix + ":" + last.local
		}
		hint = max(bytes.Count(body, []byte(tag)), 1)
	}
	hint = min(hint, lim.MaxRows)
	fresh := func() *tableBuilder {
		tb := newTableBuilder(p, hint, lim, false)
		tb.ctx = ctx
		tb.setTextual()
		return tb
	}
	r := &xmlReader{path: path, last: len(path.steps) - 1, maxRows: lim.MaxRows, maxOut: math.MaxInt64,
		direct: &xmlDirect{tb: fresh(), sels: sels, lim: lim, fresh: fresh}}
	if err := r.read(ctx, body); err != nil {
		return nil, err
	}
	tb := r.direct.tb
	if int64(len(tb.cols))*int64(max(r.rows, 1)) > lim.MaxCells {
		return nil, tooManyCells(lim.MaxCells)
	}
	return tb.finish(r.rows, ns), nil
}

// row reads row i from the reader's node tree (nodes[0] is the row element).
func (x *xmlDirect) row(r *xmlReader, i int) error {
	if i%ctxCheckEvery == 0 {
		if err := checkSize(x.lim, i+ctxCheckEvery, len(x.tb.cols)); err != nil {
			return err
		}
	}
	if err := x.tb.chargeCells(len(x.tb.cols)); err != nil {
		return err
	}
	for ci, sel := range x.sels {
		b := x.tb.cols[ci]
		x.put(r, b, i, 0, sel.steps, true)
	}
	if x.tb.text.left < 0 {
		return textTooLarge(x.lim)
	}
	return nil
}

// put resolves steps from node k (as gjson would on its JSON value) and stores the value.
func (x *xmlDirect) put(r *xmlReader, b *colBuilder, i int, k int32, steps []string, row bool) {
	n := &r.nodes[k]
	if !row && len(n.attrs) == 0 && len(n.kids) == 0 {
		return // the node's value is a string (or null): it has no members
	}
	step := steps[0]
	switch {
	case step == "#text":
		if text := bytes.TrimSpace(n.text); len(text) > 0 && len(steps) == 1 {
			x.putString(b, i, bytesString(text))
		}
		return
	case step[0] == '@':
		for _, a := range n.attrs {
			if a.local == step[1:] {
				if len(steps) == 1 {
					x.putString(b, i, a.value)
				}
				return
			}
		}
		return
	}
	first, count := int32(-1), 0
	for _, kid := range n.kids {
		if r.nodes[kid].local == step {
			if first < 0 {
				first = kid
			}
			count++
		}
	}
	switch {
	case count == 0:
		return
	case count > 1: // an array: a value for one step, nothing has members of that name
		if len(steps) == 1 {
			x.scratch = r.writeKids(x.scratch[:0], n, step)
			x.putComplex(b, i)
		}
		return
	case len(steps) > 1:
		x.put(r, b, i, first, steps[1:], false)
		return
	}
	c := &r.nodes[first]
	if len(c.attrs) == 0 && len(c.kids) == 0 {
		if text := bytes.TrimSpace(c.text); len(text) > 0 {
			x.putString(b, i, bytesString(text))
		}
		return
	}
	x.scratch = r.writeNode(x.scratch[:0], first, false)
	x.putComplex(b, i)
}

// putString stores a text value as putJSON would store the JSON string.
func (x *xmlDirect) putString(b *colBuilder, i int, s string) {
	if b.typ == tJSON && !b.infer {
		x.scratch = appendJSONString(x.scratch[:0], []byte(s))
		b.putJSON(i, gjson.Parse(bytesString(x.scratch)))
		return
	}
	b.putText(i, s)
}

// putComplex stores the object or array in x.scratch.
func (x *xmlDirect) putComplex(b *colBuilder, i int) {
	b.putJSON(i, gjson.Parse(bytesString(x.scratch)))
}

// writeKids writes the array of n's children named name, as writeNode does.
func (r *xmlReader) writeKids(out []byte, n *xnode, name string) []byte {
	out = append(out, '[')
	w := 0
	for _, kid := range n.kids {
		if r.nodes[kid].local == name {
			if w > 0 {
				out = append(out, ',')
			}
			out = r.writeNode(out, kid, false)
			w++
		}
	}
	return append(out, ']')
}
