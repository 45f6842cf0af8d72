package transform

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// A step that reads another query's rows (join, append) names it by refId.
// The engine does no I/O: the caller runs that query first and hands its
// frame in Input.Queries; QueryDependencies tells the caller which to run.
type queryStep interface {
	queryRef() string
}

// QueryDependencies lists the refIds a pipeline's steps read, in the order
// the steps name them, without repeats.
func QueryDependencies(p *Pipeline) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range p.Steps {
		if q, ok := s.(queryStep); ok && q.queryRef() != "" && !slices.Contains(out, q.queryRef()) {
			out = append(out, q.queryRef())
		}
	}
	return out
}

// inputTable reads the frame of the query ref as a working table. Its values
// are shared with the frame (pointers into it, never written), so reading it
// costs the pointer slices, charged to the budget like any table.
func (rs *runState) inputTable(ref, path string) (*table, error) {
	f, ok := rs.queries[ref]
	if !ok || f == nil {
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range rs.queries {
				if !yield(k) {
					return
				}
			}
		})
		known := "none"
		if len(names) > 0 {
			known = strings.Join(names, ", ")
		}
		return nil, pipelineError(verr(path+".query", "query %q is not an input of this run (inputs: %s)", ref, known))
	}
	n := f.Rows()
	if err := rs.lim.charge(int64(n) * int64(len(f.Fields)) * 8); err != nil {
		return nil, err
	}
	t := &table{n: n}
	for _, fl := range f.Fields {
		c, err := frameColumn(fl, n)
		if err != nil {
			return nil, err
		}
		if t.index(c.name) >= 0 {
			return nil, pipelineError(verr(path+".query", "query %q has two fields named %q", ref, c.name))
		}
		t.cols = append(t.cols, c)
	}
	return t, nil
}

// frameTypes are the SDK field types a column holds as they are (plain or
// nullable): one table, so a field type maps to a column type in one place.
var frameTypes = map[data.FieldType]colType{
	data.FieldTypeFloat64: tNumber,
	data.FieldTypeString:  tString,
	data.FieldTypeBool:    tBool,
	data.FieldTypeTime:    tTime,
	data.FieldTypeJSON:    tJSON,
	data.FieldTypeInt64:   tInt64,
	data.FieldTypeUint64:  tUint64,
}

// frameColumn converts an SDK field to a column: nullable fields share their
// pointers; other field types are copied (numbers of every width as
// numbers, except 64-bit integers, which stay exact).
func frameColumn(f *data.Field, n int) (*column, error) {
	name := f.Name
	ft := f.Type()
	if ft != data.FieldTypeUnknown { // NonNullableType panics on it
		if typ, ok := frameTypes[ft.NonNullableType()]; ok {
			c := newColumn(name, typ, n)
			c.fillFrom(f)
			return c, nil
		}
	}
	if ft.Numeric() {
		c := newColumn(name, tNumber, n)
		var s slab[float64]
		for i := 0; i < n; i++ {
			if v, err := f.NullableFloatAt(i); err == nil && v != nil {
				c.nums[i] = s.put(*v, n)
			}
		}
		return c, nil
	}
	// Anything else (enums) as text.
	c := newColumn(name, tString, n)
	for i := 0; i < n; i++ {
		if v, ok := f.ConcreteAt(i); ok {
			s := fmt.Sprint(v)
			c.strs[i] = &s
		}
	}
	return c, nil
}

// fillFrom fills the column (from newColumn, of a frameTypes type) with
// the field's rows.
func (c *column) fillFrom(f *data.Field) {
	switch c.typ {
	case tNumber:
		fillPtrs(f, c.nums)
	case tBool:
		fillPtrs(f, c.bools)
	case tTime:
		fillPtrs(f, c.times)
	case tJSON:
		fillPtrs(f, c.raws)
	case tInt64:
		fillPtrs(f, c.ints)
	case tUint64:
		fillPtrs(f, c.uints)
	default:
		fillPtrs(f, c.strs)
	}
}

// fillPtrs copies a field of T or *T into dst as pointers: a nullable
// field's own pointers, a plain field's values behind new ones.
func fillPtrs[T any](f *data.Field, dst []*T) {
	var s slab[T]
	for i := range dst {
		switch v := f.At(i).(type) {
		case *T:
			dst[i] = v
		case T:
			dst[i] = s.put(v, len(dst))
		}
	}
}

// keyClass groups column types whose values a join compares: numbers of
// every kind with each other and with strings (an id that one API spells 42
// and another "42"), the rest only with their own type.
func keyClass(t colType) string {
	switch {
	case t.isNumeric(), t == tString, t == tUnknown:
		return "text"
	case t == tBool:
		return "boolean"
	case t == tTime:
		return "time"
	}
	return "json"
}

// appendJoinKey appends the canonical text of row i of c, by which join keys are
// compared: numbers as their shortest decimal (1, 1.0 and int64 1 are
// "1"), strings as they are, times as Unix nanoseconds, JSON as its text.
// ok is false for a null, which matches nothing.
func appendJoinKey(b []byte, c *column, i int) ([]byte, bool) {
	switch c.typ {
	case tNumber:
		p := c.nums[i]
		if p == nil {
			return b, false
		}
		if f := *p; f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return strconv.AppendInt(b, int64(f), 10), true
		}
		return strconv.AppendFloat(b, *p, 'g', -1, 64), true
	case tInt64:
		if p := c.ints[i]; p != nil {
			return strconv.AppendInt(b, *p, 10), true
		}
	case tUint64:
		if p := c.uints[i]; p != nil {
			return strconv.AppendUint(b, *p, 10), true
		}
	case tBool:
		if p := c.bools[i]; p != nil {
			return strconv.AppendBool(b, *p), true
		}
	case tTime:
		if p := c.times[i]; p != nil {
			return strconv.AppendInt(b, p.UnixNano(), 10), true
		}
	case tJSON:
		if p := c.raws[i]; p != nil {
			return append(b, *p...), true
		}
	default:
		if p := c.strs[i]; p != nil {
			return append(b, *p...), true
		}
	}
	return b, false
}

// cellText is a value as text, where columns of different types meet in one
// (append): numbers as their JSON spelling, times in RFC 3339, JSON as its
// text.
func cellText(c *column, i int) *string {
	var s string
	switch c.typ {
	case tString:
		return c.strs[i]
	case tTime:
		p := c.times[i]
		if p == nil {
			return nil
		}
		s = p.UTC().Format(time.RFC3339Nano)
	case tJSON:
		p := c.raws[i]
		if p == nil {
			return nil
		}
		s = string(*p)
	default:
		b, ok := appendJoinKey(nil, c, i)
		if !ok {
			return nil
		}
		if c.typ == tNumber {
			b, _ = json.Marshal(*c.nums[i])
		}
		s = string(b)
	}
	return &s
}

// freeName is name, or when the table has a field of that name
// name_<suffix>, then name_<suffix>_2, _3… — how a join names the other
// query's fields that clash with this one's.
func freeName(taken func(string) bool, name, suffix string) string {
	if !taken(name) {
		return name
	}
	cand := name + "_" + suffix
	for k := 2; taken(cand); k++ {
		cand = fmt.Sprintf("%s_%s_%d", name, suffix, k)
	}
	return cand
}
