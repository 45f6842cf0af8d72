package transform

// StepAppend appends the rows of another query of the same request:
// {"type":"append","query":"B"}.
const StepAppend = "append"

// AppendStep adds the rows of query Query (Input.Queries) after this
// query's rows (SQL's UNION ALL, Grafana's "concatenate"). Fields match by
// name: the output has this query's fields in their order, then the other
// query's new ones; a row lacking a field has null there. A field both have
// keeps its type when the types are the same; numbers of different types
// become numbers; other mixes become strings (numbers in their JSON
// spelling, times in RFC 3339, JSON as its text).
type AppendStep struct {
	Query string `json:"query"`
}

func init() {
	registerStep(&stepKind{typ: StepAppend, order: 76,
		fields: []StepField{
			{Name: "query", Type: "string", Required: true, Description: "refId of the query whose rows are appended (it runs first)"},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s AppendStep
			var err *ValidationError
			s.Query, err = o.str("query")
			return &s, err
		}})
}

func (s *AppendStep) StepType() string { return StepAppend }
func (s *AppendStep) queryRef() string { return s.Query }

func (s *AppendStep) MarshalJSON() ([]byte, error) {
	type plain AppendStep
	return marshalStep(StepAppend, (*plain)(s))
}

func (s *AppendStep) validate(path string) *ValidationError {
	return checkName(path+".query", s.Query)
}

// plan: the other side's fields are known only when it runs.
func (s *AppendStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	return &appendRun{step: s, path: path}, nil, nil
}

type appendRun struct {
	step *AppendStep
	path string
}

func (r *appendRun) run(rs *runState, t *table) error {
	other, err := rs.inputTable(r.step.Query, r.path)
	if err != nil {
		return err
	}
	n := t.n + other.n
	if n > rs.lim.MaxRows {
		return tooManyRows(rs.lim.MaxRows)
	}
	names := make([]string, 0, len(t.cols)+len(other.cols))
	for _, c := range t.cols {
		names = append(names, c.name)
	}
	for _, c := range other.cols {
		if t.index(c.name) < 0 {
			names = append(names, c.name)
		}
	}
	if err := rs.lim.charge(int64(n) * int64(len(names)) * tableCellBytes); err != nil {
		return err
	}
	out := make([]*column, len(names))
	for k, name := range names {
		if err := rs.ctx.Err(); err != nil {
			return timeoutError(err)
		}
		out[k] = concatColumns(name, t.col(name), t.n, other.col(name), other.n)
	}
	t.cols, t.n = out, n
	return nil
}

// concatColumns is a's na rows then b's nb rows; either may be missing
// (nil: nulls).
func concatColumns(name string, a *column, na int, b *column, nb int) *column {
	typ := tString
	switch {
	case a == nil:
		typ = b.typ
	case b == nil || a.typ == b.typ:
		typ = a.typ
	case a.typ.isNumeric() && b.typ.isNumeric():
		typ = tNumber
	}
	c := newColumn(name, typ, na+nb)
	var nums slab[float64]
	put := func(k int, src *column, i int) {
		if src == nil {
			return
		}
		switch {
		case src.typ == typ:
			copyCell(c, k, src, i)
		case typ == tNumber:
			if v := src.value(i); v != nil {
				switch x := v.(type) {
				case int:
					c.nums[k] = nums.put(float64(x), na+nb)
				case uint64:
					c.nums[k] = nums.put(float64(x), na+nb)
				}
			}
		default:
			c.strs[k] = cellText(src, i)
		}
	}
	for i := 0; i < na; i++ {
		put(i, a, i)
	}
	for i := 0; i < nb; i++ {
		put(na+i, b, i)
	}
	return c
}
