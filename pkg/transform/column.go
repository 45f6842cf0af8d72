package transform

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// column is one typed, nullable column of the working table. Exactly one of
// the slices is used, chosen by typ; a nil pointer is a null.
//
// Values are stored behind pointers because that is what nullable SDK fields
// hold ([]*float64, ...), so the frame is built without converting values.
// The pointed-to values live in a few large backing arrays (slabs and arenas,
// see below) instead of one allocation per value, and are never written after
// creation, so steps may share pointers between rows and columns freely.
type column struct {
	name  string
	typ   colType
	nums  []*float64
	strs  []*string
	bools []*bool
	times []*time.Time
	raws  []*json.RawMessage
	ints  []*int64
	uints []*uint64
}

func newColumn(name string, typ colType, n int) *column {
	c := &column{name: name, typ: typ}
	switch typ {
	case tNumber:
		c.nums = make([]*float64, n)
	case tBool:
		c.bools = make([]*bool, n)
	case tTime:
		c.times = make([]*time.Time, n)
	case tJSON:
		c.raws = make([]*json.RawMessage, n)
	case tInt64:
		c.ints = make([]*int64, n)
	case tUint64:
		c.uints = make([]*uint64, n)
	default:
		c.typ = tString
		c.strs = make([]*string, n)
	}
	return c
}

func (c *column) len() int {
	switch c.typ {
	case tNumber:
		return len(c.nums)
	case tBool:
		return len(c.bools)
	case tTime:
		return len(c.times)
	case tJSON:
		return len(c.raws)
	case tInt64:
		return len(c.ints)
	case tUint64:
		return len(c.uints)
	}
	return len(c.strs)
}

func (c *column) isNull(i int) bool {
	switch c.typ {
	case tNumber:
		return c.nums[i] == nil
	case tBool:
		return c.bools[i] == nil
	case tTime:
		return c.times[i] == nil
	case tJSON:
		return c.raws[i] == nil
	case tInt64:
		return c.ints[i] == nil
	case tUint64:
		return c.uints[i] == nil
	}
	return c.strs[i] == nil
}

// value is the row's value as expressions see it: float64, string, bool,
// time.Time, decoded JSON (map[string]any, []any, ...), int (int64
// columns), uint64 or nil.
func (c *column) value(i int) any {
	switch c.typ {
	case tNumber:
		if p := c.nums[i]; p != nil {
			return *p
		}
	case tBool:
		if p := c.bools[i]; p != nil {
			return *p
		}
	case tTime:
		if p := c.times[i]; p != nil {
			return *p
		}
	case tJSON:
		if p := c.raws[i]; p != nil {
			var v any
			if json.Unmarshal(*p, &v) == nil {
				return v
			}
		}
	case tInt64:
		if p := c.ints[i]; p != nil {
			return int(*p)
		}
	case tUint64:
		if p := c.uints[i]; p != nil {
			return *p
		}
	default:
		if p := c.strs[i]; p != nil {
			return *p
		}
	}
	return nil
}

// take returns a column holding rows idx of c (in that order); a negative
// index is a null row (a join's row without a match on that side).
func take[I int | int32](c *column, idx []I) *column {
	out := &column{name: c.name, typ: c.typ}
	switch c.typ {
	case tNumber:
		out.nums = takePtrs(c.nums, idx)
	case tBool:
		out.bools = takePtrs(c.bools, idx)
	case tTime:
		out.times = takePtrs(c.times, idx)
	case tJSON:
		out.raws = takePtrs(c.raws, idx)
	case tInt64:
		out.ints = takePtrs(c.ints, idx)
	case tUint64:
		out.uints = takePtrs(c.uints, idx)
	default:
		out.strs = takePtrs(c.strs, idx)
	}
	return out
}

func takePtrs[T any, I int | int32](s []*T, idx []I) []*T {
	out := make([]*T, len(idx))
	for j, i := range idx {
		if i >= 0 {
			out[j] = s[i]
		}
	}
	return out
}

// field converts the column into a nullable SDK field. NewField copies the
// pointer slice (not the values).
func (c *column) field() *data.Field {
	switch c.typ {
	case tNumber:
		return data.NewField(c.name, nil, c.nums)
	case tBool:
		return data.NewField(c.name, nil, c.bools)
	case tTime:
		return data.NewField(c.name, nil, c.times)
	case tJSON:
		return data.NewField(c.name, nil, c.raws)
	case tInt64:
		return data.NewField(c.name, nil, c.ints)
	case tUint64:
		return data.NewField(c.name, nil, c.uints)
	}
	return data.NewField(c.name, nil, c.strs)
}

// slab hands out pointers into large backing arrays, so a column of n values
// costs a handful of allocations instead of n.
type slab[T any] struct{ buf []T }

func (s *slab[T]) put(v T, want int) *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, max(want, 64))
	}
	s.buf = append(s.buf, v)
	return &s.buf[len(s.buf)-1]
}

// strArena copies strings into large chunks. Bytes written to a strings.Builder
// are never modified afterwards (its String results must stay valid), and we
// never let a chunk grow past its capacity, so each substring taken from
// String() is a stable, immutable copy that does not alias the input.
type strArena struct {
	b     strings.Builder
	chunk int
}

const (
	arenaMinChunk = 4 << 10
	arenaMaxChunk = 1 << 20
)

func (a *strArena) copy(s string) string {
	if len(s) == 0 {
		return ""
	}
	if a.b.Cap()-a.b.Len() < len(s) {
		a.chunk = min(max(a.chunk*2, arenaMinChunk), arenaMaxChunk)
		a.b = strings.Builder{}
		a.b.Grow(max(a.chunk, len(s)))
	}
	start := a.b.Len()
	a.b.WriteString(s)
	return a.b.String()[start:]
}

// byteArena is strArena for json.RawMessage values. Each returned slice has
// its capacity clipped to its length, so an append by a consumer reallocates
// instead of overwriting a neighbour.
type byteArena struct {
	buf   []byte
	chunk int
}

func (a *byteArena) copy(s string) json.RawMessage {
	if cap(a.buf)-len(a.buf) < len(s) {
		a.chunk = min(max(a.chunk*2, arenaMinChunk), arenaMaxChunk)
		a.buf = make([]byte, 0, max(a.chunk, len(s)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return json.RawMessage(a.buf[start:len(a.buf):len(a.buf)])
}

// table is the working set the steps operate on: columns of equal length n.
type table struct {
	cols     []*column
	n        int
	textLeft int64 // of the run's text budget, after reading
}

func (t *table) index(name string) int {
	for i, c := range t.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

func (t *table) col(name string) *column {
	if i := t.index(name); i >= 0 {
		return t.cols[i]
	}
	return nil
}

func (t *table) take(idx []int) {
	for i, c := range t.cols {
		t.cols[i] = take(c, idx)
	}
	t.n = len(idx)
}

func (t *table) schema() []field {
	s := make([]field, len(t.cols))
	for i, c := range t.cols {
		s[i] = field{name: c.name, typ: c.typ}
	}
	return s
}

// field is a column's name and type, as known to planning.
type field struct {
	name string
	typ  colType
}

// num is a non-null numeric cell as float64 (sum, avg of integer columns).
func (c *column) num(i int) float64 {
	switch c.typ {
	case tInt64:
		return float64(*c.ints[i])
	case tUint64:
		return float64(*c.uints[i])
	}
	return *c.nums[i]
}
