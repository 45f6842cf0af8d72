package transform

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// ComputeStep adds a field Name (or replaces it, in place) with the value of
// Expr for every row. Its type is the expression's static type when the
// checker knows it, otherwise that of the first non-null result; results of
// another type become null and are counted in a notice.
type ComputeStep struct {
	Expr string `json:"expr,omitempty"`
	Name string `json:"name,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepCompute, order: 20,
		fields: []StepField{
			{Name: "name", Type: "string", Required: true, Description: "field to add or replace"},
			{Name: "expr", Type: "string", Required: true, Description: "expression over the row's fields", kind: StringExpr},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s ComputeStep
			var err *ValidationError
			if s.Expr, err = o.str("expr"); err != nil {
				return nil, err
			}
			s.Name, err = o.str("name")
			return &s, err
		}})
}

func (s *ComputeStep) StepType() string { return StepCompute }

func (s *ComputeStep) MarshalJSON() ([]byte, error) {
	type plain ComputeStep
	return marshalStep(StepCompute, (*plain)(s))
}

func (s *ComputeStep) validate(path string) *ValidationError {
	if err := checkName(path+".name", s.Name); err != nil {
		return err
	}
	return checkExpr(s.Expr, path+".expr")
}

func (s *ComputeStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	ce, err := compileExpr(s.Expr, in, false, path+".expr")
	if err != nil {
		return nil, nil, err
	}
	out := append([]field(nil), in...)
	if j := schemaIndex(out, s.Name); j >= 0 {
		out[j].typ = ce.out
	} else {
		out = append(out, field{name: s.Name, typ: ce.out})
	}
	return &computeRun{name: s.Name, expr: ce, path: path}, out, nil
}

type computeRun struct {
	name string
	expr *compiledExpr
	path string
}

func (r *computeRun) run(rs *runState, t *table) error {
	if t.index(r.name) < 0 && int64(t.n)*int64(len(t.cols)+1) > rs.lim.MaxCells {
		e := tooManyCells(rs.lim.MaxCells)
		e.Path = r.path
		return e
	}
	ev := newEvaluator(rs, r.expr, t, r.path+".expr")
	b := newColBuilder(r.name, t.n) // its text is counted below, against rs.outBudget
	b.infer = false
	if r.expr.out != tUnknown {
		b.setType(r.expr.out, timeFormat{})
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
			return &Error{Code: CodeOutputTooLarge, Path: r.path, Message: "computed values exceed the output size limit"}
		}
	}
	ev.report(rs.ns, r.path)
	if b.invalid > 0 {
		rs.ns.warn("%s: %d %s not of type %s and %s set to null (first: %s)", r.path, b.invalid,
			plural(b.invalid, "result was", "results were"), b.typ, plural(b.invalid, "was", "were"), b.firstBad)
	}
	c := b.finish(t.n)
	if j := t.index(r.name); j >= 0 {
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
