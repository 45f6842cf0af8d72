package transform

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// runCompute evaluates the expression for every row into a new (or replaced)
// column. Its type is the expression's static type when the checker knows it,
// otherwise that of the first non-null result; results of another type become
// null and are counted in a notice.
func runCompute(rs *runState, sp stepPlan, t *table) error {
	if t.index(sp.Name) < 0 && int64(t.n)*int64(len(t.cols)+1) > rs.lim.MaxCells {
		e := tooManyCells(rs.lim.MaxCells)
		e.Path = sp.path
		return e
	}
	ev := newEvaluator(rs, sp.expr, t, sp.path+".expr")
	b := newColBuilder(sp.Name, t.n) // its text is counted below, against rs.outBudget
	b.infer = false
	if sp.expr.out != tUnknown {
		b.setType(sp.expr.out, timeFormat{})
	}
	for i := 0; i < t.n; i++ {
		out, ok, err := ev.eval(i)
		if err != nil {
			return err
		}
		if !ok || out == nil {
			continue
		}
		if b.typ == tUnknown {
			b.setType(resultType(out), timeFormat{})
		}
		size, ok := b.putResult(i, out)
		if !ok {
			b.bad(fmt.Sprintf("%v", out))
			continue
		}
		if rs.outBudget -= int64(size); rs.outBudget < 0 {
			return &Error{Code: CodeOutputTooLarge, Path: sp.path, Message: "computed values exceed the output size limit"}
		}
	}
	ev.report(rs.ns, sp.path)
	if b.invalid > 0 {
		rs.ns.warn("%s: %d %s not of type %s and %s set to null (first: %s)", sp.path, b.invalid,
			plural(b.invalid, "result was", "results were"), b.typ, plural(b.invalid, "was", "were"), b.firstBad)
	}
	c := b.finish(t.n)
	if j := t.index(sp.Name); j >= 0 {
		t.cols[j] = c
	} else {
		t.cols = append(t.cols, c)
	}
	return nil
}

func resultType(v any) colType {
	switch v.(type) {
	case bool:
		return tBool
	case string:
		return tString
	case time.Time:
		return tTime
	case time.Duration, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return tNumber
	}
	return tJSON
}

// toFloat converts numeric results; durations become seconds, the unit
// dashboards expect for a number.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case time.Duration:
		return x.Seconds(), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float32:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return math.NaN(), false
}

// putResult stores an expression result; it returns the bytes of text added
// (for the output budget) and whether the value fit the column type.
func (b *colBuilder) putResult(i int, v any) (int, bool) {
	switch b.typ {
	case tNumber:
		f, ok := toFloat(v)
		if !ok {
			return 0, false
		}
		b.setNum(i, f)
		return 8, true
	case tString:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		b.setStr(i, s)
		return len(s) + 16, true
	case tBool:
		x, ok := v.(bool)
		if !ok {
			return 0, false
		}
		b.setBool(i, x)
		return 1, true
	case tTime:
		x, ok := v.(time.Time)
		if !ok {
			return 0, false
		}
		b.setTime(i, x.UTC())
		return 24, true
	case tJSON:
		raw, err := json.Marshal(v)
		if err != nil {
			return 0, false
		}
		b.setRaw(i, string(raw))
		return len(raw) + 24, true
	}
	return 0, false
}
