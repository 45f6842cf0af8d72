package transform

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// colBuilder fills one column while the rows are read.
//
// Inference is optimistic and single-pass: the first non-null value picks a
// tentative type and values are converted straight into typed storage. The
// kinds of all values are tracked; if a later value does not fit (a string in
// a number column, a non-time string in a time column), the column is marked
// conflicted and, once all rows are read, read again with its final type
// (usually string). Mixed columns are rare, so the common case costs one pass
// and no intermediate representation of the data.
type colBuilder struct {
	name      string
	key       string // top-level key matched while iterating a row's members
	sel       string // gjson path evaluated per row, when key is ""
	fanout    int    // how often sel may repeat the row (see pathFanout)
	isValue   bool   // inferred column holding non-object rows whole
	infer     bool   // type not fixed by the pipeline
	timeNamed bool
	// textual: the rows come from a text format (XML) converted to JSON, so
	// a JSON string is read like a CSV cell ("12" a number, "" a null).
	textual bool
	typ     colType // declared type, or tentative while inferring
	tf      timeFormat
	def     any // Column.Default converted to typ; nil for none
	conv    conversion

	kinds    uint8
	conflict bool
	invalid  int    // declared type: values that did not convert
	firstBad string // declared type: excerpt of the first of them

	hint int // expected rows, to size backing arrays
	text *textBudget
	own  textBudget // text's target until a table builder shares its budget
	c    *column
	nums slab[float64]
	tms  slab[time.Time]
	strs slab[string]
	raws slab[json.RawMessage]
	ints slab[int64]
	uint slab[uint64]
	sa   strArena
	ba   byteArena
	tru  *bool
	fal  *bool
}

func newColBuilder(name string, hint int) *colBuilder {
	b := &colBuilder{name: name, infer: true, timeNamed: timeNamed(name), hint: hint, own: textBudget{left: math.MaxInt64}}
	b.text = &b.own
	return b
}

// textBudget bounds the text (strings and JSON) that columns hold, read or
// computed: selectors can repeat the input (many columns selecting the same
// large value), so the input limit alone does not bound it.
type textBudget struct{ left int64 }

// textBudgetFactor × Limits.MaxInputBytes is a run's text budget.
const textBudgetFactor = 4

func textTooLarge(lim Limits) *Error {
	return &Error{Code: CodeOutputTooLarge, Message: fmt.Sprintf(
		"the columns would hold more than %d bytes of text (%d × the input limit); select fewer or smaller values",
		textBudgetFactor*lim.MaxInputBytes, textBudgetFactor)}
}

func (b *colBuilder) setType(t colType, tf timeFormat) {
	b.typ, b.tf = t, tf
	b.c = newColumn(b.name, t, b.hint)
}

// want sizes the next backing array: everything still expected, so a column
// whose row count is known up front needs a single one.
func (b *colBuilder) want(i int) int {
	if i < b.hint {
		return b.hint - i
	}
	return max(i/4, 256)
}

func grow[T any](s []*T, i int) []*T {
	if i < len(s) {
		return s
	}
	return append(s, make([]*T, max(i+1-len(s), len(s)/2+16))...)
}

func (b *colBuilder) setNum(i int, v float64) {
	b.c.nums = grow(b.c.nums, i)
	b.c.nums[i] = b.nums.put(v, b.want(i))
}

func (b *colBuilder) setStr(i int, s string) {
	b.c.strs = grow(b.c.strs, i)
	b.c.strs[i] = b.strs.put(b.sa.copy(s), b.want(i))
	b.text.left -= int64(len(s))
}

func (b *colBuilder) setBool(i int, v bool) {
	if b.tru == nil {
		b.tru, b.fal = boolPtr(true), boolPtr(false)
	}
	p := b.fal
	if v {
		p = b.tru
	}
	b.c.bools = grow(b.c.bools, i)
	b.c.bools[i] = p
}

func (b *colBuilder) setInt(i int, v int64) {
	b.c.ints = grow(b.c.ints, i)
	b.c.ints[i] = b.ints.put(v, b.want(i))
}

func (b *colBuilder) setUint(i int, v uint64) {
	b.c.uints = grow(b.c.uints, i)
	b.c.uints[i] = b.uint.put(v, b.want(i))
}

func (b *colBuilder) setTime(i int, t time.Time) {
	b.c.times = grow(b.c.times, i)
	b.c.times[i] = b.tms.put(t, b.want(i))
}

func (b *colBuilder) setRaw(i int, raw string) {
	b.c.raws = grow(b.c.raws, i)
	b.c.raws[i] = b.raws.put(b.ba.copy(raw), b.want(i))
	b.text.left -= int64(len(raw))
}

// Booleans need no backing array: every true cell of a column shares one
// pointer. They are per column, not package variables, so nothing can flip
// every frame's booleans at once by writing through a pointer.
func boolPtr(v bool) *bool {
	return &v
}

// bad counts a value that does not convert to the declared type; shown is how
// the notice quotes it (JSON text as is, CSV text quoted).
func (b *colBuilder) bad(shown string) {
	b.invalid++
	if b.firstBad == "" {
		b.firstBad = shorten(shown)
	}
}

// putJSON stores row i's value (a gjson result; missing or null is a null).
func (b *colBuilder) putJSON(i int, v gjson.Result) {
	if v.Type == gjson.Null {
		return
	}
	if b.textual && v.Type == gjson.String && (b.infer || b.typ != tJSON) {
		b.putText(i, v.Str)
		return
	}
	if b.infer {
		b.kinds |= jsonKind(v.Type)
		if b.conflict {
			return
		}
		if b.typ == tUnknown {
			b.adoptJSON(v)
		}
		if !b.convertJSON(i, v) {
			b.conflict = true
			b.c = nil // re-read later; let the partial column go now
		}
		return
	}
	if !b.convertJSON(i, v) {
		b.bad(v.Raw)
	}
}

func (b *colBuilder) convertJSON(i int, v gjson.Result) bool {
	if b.conv.kind != convNone {
		f, ok := b.conv.apply(v.Raw, v.Str, v.Type == gjson.String, v.Type == gjson.Number, v.Num)
		if ok {
			b.setNum(i, f)
		}
		return ok
	}
	switch b.typ {
	case tInt64, tUint64:
		var s string
		switch v.Type {
		case gjson.Number:
			s = v.Raw
		case gjson.String:
			s = v.Str
		default:
			return false
		}
		return b.putInteger(i, s)
	case tNumber:
		switch v.Type {
		case gjson.Number:
			b.setNum(i, v.Num)
		case gjson.String:
			f, ok := parseNumberText(v.Str)
			if !ok {
				return false
			}
			b.setNum(i, f)
		default:
			return false
		}
	case tString:
		switch v.Type {
		case gjson.String:
			b.setStr(i, v.Str)
		default: // numbers keep their JSON spelling, objects and arrays their JSON text
			b.setStr(i, v.Raw)
		}
	case tBool:
		switch v.Type {
		case gjson.True:
			b.setBool(i, true)
		case gjson.False:
			b.setBool(i, false)
		case gjson.String:
			x, ok := parseBoolText(v.Str)
			if !ok {
				return false
			}
			b.setBool(i, x)
		case gjson.Number:
			if v.Num != 0 && v.Num != 1 {
				return false
			}
			b.setBool(i, v.Num == 1)
		default:
			return false
		}
	case tTime:
		var t time.Time
		var ok bool
		switch v.Type {
		case gjson.String:
			t, ok = b.tf.parseText(v.Str)
		case gjson.Number:
			if b.infer && !b.plausibleEpoch(v.Num) {
				return false
			}
			t, ok = b.tf.parseNumber(v.Raw, v.Num)
		}
		if !ok {
			return false
		}
		b.setTime(i, t)
	case tJSON:
		b.setRaw(i, v.Raw)
	}
	return true
}

// putText stores row i's CSV cell; an empty cell is a null.
func (b *colBuilder) putText(i int, s string) {
	if s == "" {
		return
	}
	if b.infer {
		b.kinds |= textKind(s)
		if b.conflict {
			return
		}
		if b.typ == tUnknown {
			b.adoptText(s)
		}
		if !b.convertText(i, s) {
			b.conflict = true
			b.c = nil
		}
		return
	}
	if !b.convertText(i, s) {
		b.bad(strconv.Quote(s))
	}
}

func (b *colBuilder) convertText(i int, s string) bool {
	if b.conv.kind != convNone {
		f, ok := b.conv.apply(s, s, true, false, 0)
		if ok {
			b.setNum(i, f)
		}
		return ok
	}
	switch b.typ {
	case tInt64, tUint64:
		return b.putInteger(i, s)
	case tNumber:
		v, ok := parseNumberText(s)
		if !ok {
			return false
		}
		b.setNum(i, v)
	case tString:
		b.setStr(i, s)
	case tBool:
		v, ok := parseBoolText(s)
		if !ok {
			return false
		}
		b.setBool(i, v)
	case tTime:
		if b.infer && b.tf.kind == tfUnix {
			if v, ok := parseNumberText(s); !ok || !b.plausibleEpoch(v) {
				return false
			}
		}
		t, ok := b.tf.parseText(s)
		if !ok {
			return false
		}
		b.setTime(i, t)
	case tJSON:
		if err := jsonscan.Validate([]byte(s)); err != nil {
			return false
		}
		b.setRaw(i, s)
	}
	return true
}

// finish returns the column with exactly n rows and defaults applied.
func (b *colBuilder) finish(n int) *column {
	if b.typ == tUnknown {
		b.typ = tString
	}
	c := b.c
	if c == nil {
		c = newColumn(b.name, b.typ, n)
	}
	switch c.typ {
	case tNumber:
		c.nums = fitDefault(c.nums, n, b.def)
	case tBool:
		c.bools = fitDefault(c.bools, n, b.def)
	case tTime:
		c.times = fitDefault(c.times, n, b.def)
	case tJSON:
		c.raws = fitDefault(c.raws, n, b.def)
	case tInt64:
		c.ints = fitDefault(c.ints, n, b.def)
	case tUint64:
		c.uints = fitDefault(c.uints, n, b.def)
	default:
		c.strs = fitDefault(c.strs, n, b.def)
	}
	b.c = nil
	return c
}

// fitDefault sets the slice's length to n and points null cells at the default
// (one shared value: cells are never written through their pointers).
func fitDefault[T any](s []*T, n int, def any) []*T {
	if len(s) < n {
		s = append(s, make([]*T, n-len(s))...)
	}
	s = s[:n:n]
	if d, ok := def.(T); ok {
		for i, p := range s {
			if p == nil {
				s[i] = &d
			}
		}
	}
	return s
}
