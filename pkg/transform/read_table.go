package transform

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
)

// tableBuilder reads rows into colBuilders. For JSON rows it walks each row's
// members once and routes them to columns by key, instead of one gjson.Get per
// column per row (which would rescan the row for every column).
type tableBuilder struct {
	cols     []*colBuilder
	byKey    map[string]int // top-level key → column
	getCols  []int          // columns read with gjson.Get(sel)
	valueCol int            // inferred column for non-object rows, -1 until needed
	infer    bool           // unknown keys become columns
	hint     int            // rows expected
	rows     int            // rows seen
	lim      Limits
	text     *textBudget // shared by all columns
	textual  bool        // see colBuilder.textual
	ctx      context.Context
	work     int // bytes scanned since the context was last checked
	err      *Error
	mem      meter // cells charged to lim.Memory as rows and columns are added

	// Rows usually list their keys in the same order. prevKey/prevCol remember
	// which column the k-th key of the previous row went to, so most lookups
	// are one string comparison instead of a map lookup.
	prevKey []string
	prevCol []int
}

// maxPredictedKeys bounds the prediction arrays for very wide rows.
const maxPredictedKeys = 1024

// newTableBuilder sets up the explicit columns (if any) for hint rows; the
// caller has checked the size with checkSize, since typed columns allocate
// their storage here.
func newTableBuilder(p *Pipeline, hint int, lim Limits, csv bool) *tableBuilder {
	t := &tableBuilder{byKey: map[string]int{}, valueCol: -1, infer: len(p.Columns) == 0, hint: hint, lim: lim,
		text: &textBudget{left: textBudgetFactor * lim.MaxInputBytes}}
	for i, c := range p.Columns {
		b := t.newCol(c.Name)
		sel := c.Selector
		if sel == "" {
			sel = c.Name
		}
		_, dup := t.byKey[sel]
		if csv || (!dup && isSimpleKey(sel)) {
			b.key = sel
			if !dup {
				t.byKey[sel] = i
			}
		} else {
			b.sel = sel
			t.getCols = append(t.getCols, i)
		}
		b.fanout, _ = pathFanout(b.sel)
		if typ := c.colType(); typ != tUnknown {
			b.infer = false
			tf, _ := c.timeFormat()
			b.setType(typ, tf)
			b.conv = c.conversion()
			if c.Default != nil {
				b.def, _ = c.defaultValue()
			}
		}
		t.cols = append(t.cols, b)
	}
	return t
}

// isSimpleKey reports whether a selector is a plain member name, which gjson
// would resolve to the member of that exact name. Anything with gjson path
// syntax is evaluated with gjson.Get instead.
func isSimpleKey(sel string) bool {
	if sel == "" {
		return false
	}
	return !strings.ContainsAny(sel, ".|#@*?\\!{}[]()=<>%\",:~")
}

// checkSize reports whether a table of cols columns of the expected rows
// stays within the limits (column storage is sized for all rows up front).
func checkSize(lim Limits, rows, cols int) *Error {
	if cols > lim.MaxColumns {
		return &Error{Code: CodeTooManyColumns, Message: fmt.Sprintf("too many columns: the limit is %d", lim.MaxColumns)}
	}
	if int64(cols)*int64(max(rows, 1)) > lim.MaxCells {
		return tooManyCells(lim.MaxCells)
	}
	return nil
}

// chargeCells charges n cells of the table to the caller's memory budget
// (lim.Memory): column storage, and the frame and the answer built from it.
func (t *tableBuilder) chargeCells(n int) *Error {
	t.mem.lim = t.lim
	return t.mem.add(int64(n) * tableCellBytes)
}

func tooManyCells(limit int64) *Error {
	return &Error{Code: CodeOutputTooLarge, Message: fmt.Sprintf("too many cells (rows × columns): the limit is %d", limit)}
}

func (t *tableBuilder) addColumn(key string) int {
	if t.err = checkSize(t.lim, max(t.hint, t.rows), len(t.cols)+1); t.err != nil {
		return -1
	}
	if t.err = t.chargeCells(max(t.hint, t.rows)); t.err != nil { // the new column, for the rows so far
		return -1
	}
	name := strings.Clone(key) // key may alias the input body
	b := t.newCol(name)
	b.key = name
	t.cols = append(t.cols, b)
	t.byKey[name] = len(t.cols) - 1
	return len(t.cols) - 1
}

// newCol is a column builder whose text counts against the table's budget.
func (t *tableBuilder) newCol(name string) *colBuilder {
	b := newColBuilder(name, t.hint)
	b.text = t.text
	b.textual = t.textual
	return b
}

// setTextual makes every column read JSON strings as text (see colBuilder.textual).
func (t *tableBuilder) setTextual() {
	t.textual = true
	for _, b := range t.cols {
		b.textual = true
	}
}

func (t *tableBuilder) lookup(k, last int, key string) int {
	if k < len(t.prevKey) && t.prevKey[k] == key {
		return t.prevCol[k]
	}
	// A missing key shifts the positions of the following ones; the column
	// after the previous key's (or the one after that) usually still matches.
	for ci := last + 1; ci <= last+2 && ci < len(t.cols); ci++ {
		if t.cols[ci].key == key {
			t.remember(k, key, ci)
			return ci
		}
	}
	ci, ok := t.byKey[key]
	if !ok {
		ci = -1
		if t.infer {
			ci = t.addColumn(key)
		}
	}
	t.remember(k, key, ci)
	return ci
}

func (t *tableBuilder) remember(k int, key string, ci int) {
	switch {
	case k < len(t.prevKey):
		t.prevKey[k], t.prevCol[k] = key, ci
	case k == len(t.prevKey) && k < maxPredictedKeys:
		t.prevKey = append(t.prevKey, key)
		t.prevCol = append(t.prevCol, ci)
	}
}

// jsonRow reads row i. It returns false to stop reading (t.err is set).
func (t *tableBuilder) jsonRow(i int, row gjson.Result) bool {
	// Sources check the context every ctxCheckEvery rows; a few huge rows,
	// each scanned once per path selector, are checked by the bytes scanned.
	if t.work += len(row.Raw) * (1 + len(t.getCols)); t.work >= 16<<20 && t.ctx != nil {
		t.work = 0
		if err := t.ctx.Err(); err != nil {
			t.err = timeoutError(err)
			return false
		}
	}
	if i >= t.rows {
		t.rows = i + 1
		if t.err = t.chargeCells(len(t.cols)); t.err != nil {
			return false
		}
		// Past the expected rows (NDJSON lines holding arrays), columns grow
		// as rows come: keep checking the size.
		if i >= t.hint && (i-t.hint)%ctxCheckEvery == 0 {
			if t.err = checkSize(t.lim, i+ctxCheckEvery, len(t.cols)); t.err != nil {
				return false
			}
		}
	}
	if row.IsObject() {
		if len(t.byKey) > 0 || t.infer {
			k, last := 0, -1
			row.ForEach(func(key, v gjson.Result) bool {
				ci := t.lookup(k, last, key.Str)
				k++
				if ci >= 0 {
					t.cols[ci].putJSON(i, v)
					last = ci
				}
				return t.err == nil
			})
		}
		for _, ci := range t.getCols {
			c := t.cols[ci]
			if !t.fits(c, row) {
				return false
			}
			c.putJSON(i, row.Get(c.sel))
		}
		if t.text.left < 0 {
			t.err = textTooLarge(t.lim)
		}
		return t.err == nil
	}
	// Arrays and scalars: explicit columns select from them ("0", "@this");
	// inference puts the whole value in a column named "value".
	if t.infer || t.valueCol >= 0 {
		if t.valueCol < 0 {
			if ci, ok := t.byKey["value"]; ok {
				t.valueCol = ci
			} else if t.valueCol = t.addColumn("value"); t.valueCol < 0 {
				return false
			}
			t.cols[t.valueCol].isValue = true
		}
		t.cols[t.valueCol].putJSON(i, row)
		return t.checkText()
	}
	for _, c := range t.cols {
		sel := c.sel
		if sel == "" {
			sel = c.key
		}
		if !t.fits(c, row) {
			return false
		}
		c.putJSON(i, row.Get(sel))
	}
	return t.checkText()
}

// fits checks, before gjson evaluates c's selector on row, that the result
// stays within the input limit even if its multipaths repeat the row.
func (t *tableBuilder) fits(c *colBuilder, row gjson.Result) bool {
	if c.fanout > 1 && int64(c.fanout)*int64(len(row.Raw)) > t.lim.MaxInputBytes {
		t.err = fanoutTooLarge(c.fanout, t.lim)
		return false
	}
	return true
}

func (t *tableBuilder) checkText() bool {
	if t.text.left < 0 {
		t.err = textTooLarge(t.lim)
	}
	return t.err == nil
}

func fanoutTooLarge(fanout int, lim Limits) *Error {
	return &Error{Code: CodeOutputTooLarge, Message: fmt.Sprintf(
		"a selector's multipaths repeat the data %d times, more than the input limit of %d bytes allows", fanout, lim.MaxInputBytes)}
}

// rereadBuilder returns a builder over just the columns that must be read
// again, with their resolved types fixed.
func (t *tableBuilder) rereadBuilder(idx []int) *tableBuilder {
	s := &tableBuilder{byKey: map[string]int{}, valueCol: -1, hint: t.hint, lim: t.lim, text: t.text, ctx: t.ctx}
	for _, ci := range idx {
		b := t.cols[ci]
		b.resetFor()
		j := len(s.cols)
		s.cols = append(s.cols, b)
		switch {
		case b.isValue:
			s.valueCol = j
			s.infer = false
		case b.key != "":
			s.byKey[b.key] = j
		default:
			s.getCols = append(s.getCols, j)
		}
	}
	return s
}

// resolve settles inferred types; it returns the columns to read again.
func (t *tableBuilder) resolve(ns *notices, reportMixed bool) []int {
	var again []int
	for i, b := range t.cols {
		reread, mixed := b.resolve()
		if reread {
			again = append(again, i)
		}
		if mixed && reportMixed {
			ns.warn("column %q mixes value types (%s); its values are read as strings", b.name, kindNames(b.kinds))
		}
	}
	return again
}

func kindNames(k uint8) string {
	var names []string
	for _, kn := range []struct {
		bit  uint8
		name string
	}{{kNumber, "number"}, {kString, "string"}, {kBool, "boolean"}, {kJSON, "object/array"}} {
		if k&kn.bit != 0 {
			names = append(names, kn.name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// finish builds the table of n rows and reports invalid values.
func (t *tableBuilder) finish(n int, ns *notices) *table {
	tb := &table{n: n, cols: make([]*column, len(t.cols)), textLeft: t.text.left}
	for i, b := range t.cols {
		if b.invalid > 0 {
			ns.warn("column %q: %d %s not valid %s and %s set to null (first: %s)",
				b.name, b.invalid, plural(b.invalid, "value is", "values are"), b.typ, plural(b.invalid, "was", "were"), b.firstBad)
		}
		tb.cols[i] = b.finish(n)
	}
	return tb
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
