package transform

import (
	"fmt"
	"slices"
)

// StepJoin joins the rows of another query of the same request:
// {"type":"join","query":"B","on":["host"],"how":"left"}.
const StepJoin = "join"

// Join kinds.
const (
	JoinInner = "inner"
	JoinLeft  = "left"
	JoinOuter = "outer"
)

// JoinStep joins this query's rows (the left side) with those of query
// Query (the right side, Input.Queries) on the fields On, which both sides
// have. It is a hash join: the right side is hashed, the left side probes.
//
//   - inner (the default): one row per pair of rows whose keys are equal;
//     left: also the left rows without a match, the right fields null;
//     outer: also the right rows without a match, the left fields null.
//   - Rows come in the left side's order, each left row's matches in the
//     right side's order (several matches: several rows); outer's unmatched
//     right rows come last, in their order.
//   - Keys compare by value: numbers of every type with each other and with
//     strings by their decimal text (42, 42.0, int64 42 and "42" are equal),
//     times by instant, booleans and JSON with their own type only; another
//     pairing is invalid_pipeline at on[i]. A null key matches nothing.
//   - Output: the left fields in their order, then the right side's fields
//     but the keys. A key field keeps its type when both sides have the same,
//     else it is a string (the decimal text). A right field whose name is
//     taken is renamed <name>_<query> (then <name>_<query>_2, …).
type JoinStep struct {
	Query string   `json:"query"`
	On    []string `json:"on"`
	How   string   `json:"how,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepJoin, order: 75,
		fields: []StepField{
			{Name: "query", Type: "string", Required: true, Description: "refId of the query whose rows are joined (it runs first)"},
			{Name: "on", Type: "array", Required: true, Description: "key fields, present on both sides"},
			{Name: "how", Type: "string", Description: "inner (default), left or outer"},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s JoinStep
			var err *ValidationError
			if s.Query, err = o.str("query"); err != nil {
				return nil, err
			}
			if s.On, err = stringList(o, "on"); err != nil {
				return nil, err
			}
			s.How, err = o.str("how")
			return &s, err
		}})
}

func (s *JoinStep) StepType() string { return StepJoin }
func (s *JoinStep) queryRef() string { return s.Query }

func (s *JoinStep) MarshalJSON() ([]byte, error) {
	type plain JoinStep
	return marshalStep(StepJoin, (*plain)(s))
}

func (s *JoinStep) validate(path string) *ValidationError {
	if err := checkName(path+".query", s.Query); err != nil {
		return err
	}
	if len(s.On) == 0 {
		return verr(path+".on", "required: at least one key field")
	}
	for i, k := range s.On {
		p := fmt.Sprintf("%s.on[%d]", path, i)
		if err := checkName(p, k); err != nil {
			return err
		}
		if slices.Index(s.On, k) < i {
			return verr(p, "%q is listed twice", k)
		}
	}
	switch s.How {
	case "", JoinInner, JoinLeft, JoinOuter:
		return nil
	}
	return verr(path+".how", "%q is not one of inner, left, outer", s.How)
}

// plan checks the keys on this side; the other side's fields are known
// only when it runs, so the steps after it are planned then (as after jq).
func (s *JoinStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	for i, k := range s.On {
		if schemaIndex(in, k) < 0 {
			return nil, nil, unknownField(fmt.Sprintf("%s.on[%d]", path, i), k, in)
		}
	}
	return &joinRun{step: s, path: path}, nil, nil
}

type joinRun struct {
	step *JoinStep
	path string
}

// joinSide is one side's key columns.
type joinSide struct {
	keys []*column
}

func (r *joinRun) run(rs *runState, t *table) error {
	s := r.step
	right, err := rs.inputTable(s.Query, r.path)
	if err != nil {
		return err
	}
	var left, rside joinSide
	for i, k := range s.On {
		p := fmt.Sprintf("%s.on[%d]", r.path, i)
		lc, rc := t.col(k), right.col(k)
		if lc == nil {
			return pipelineError(unknownField(p, k, t.schema()))
		}
		if rc == nil {
			ve := unknownField(p, k, right.schema())
			ve.Message = fmt.Sprintf("query %q: %s", s.Query, ve.Message)
			return pipelineError(ve)
		}
		if keyClass(lc.typ) != keyClass(rc.typ) {
			return pipelineError(verr(p, "%q is a %s field here and a %s field in query %q: keys compare numbers and strings with each other, other types only with their own",
				k, lc.typ, rc.typ, s.Query))
		}
		left.keys, rside.keys = append(left.keys, lc), append(rside.keys, rc)
	}
	how := s.How
	if how == "" {
		how = JoinInner
	}
	li, ri, err := hashJoin(rs, t.n, right.n, &left, &rside, how)
	if err != nil {
		return err
	}
	cols := len(t.cols) + len(right.cols)
	if err := rs.lim.charge(int64(len(li)) * int64(cols) * tableCellBytes); err != nil {
		return err
	}
	out := make([]*column, 0, cols)
	for _, c := range t.cols {
		if j := slices.Index(s.On, c.name); j >= 0 {
			out = append(out, joinKey(c, rside.keys[j], li, ri))
			continue
		}
		out = append(out, take(c, li))
	}
	taken := func(name string) bool {
		return slices.ContainsFunc(out, func(c *column) bool { return c.name == name })
	}
	for _, c := range right.cols {
		if slices.Contains(s.On, c.name) {
			continue
		}
		nc := take(c, ri)
		nc.name = freeName(taken, c.name, s.Query)
		out = append(out, nc)
	}
	t.cols, t.n = out, len(li)
	return nil
}

// hashJoin pairs the rows: li[k], ri[k] are the left and right rows of
// output row k, -1 for none. The right side is hashed (its keys' text, one
// chain of rows per key in row order), the left side probes.
func hashJoin(rs *runState, nl, nr int, left, right *joinSide, how string) (li, ri []int32, err error) {
	var buf []byte
	keyOf := func(side *joinSide, i int) ([]byte, bool) {
		buf = buf[:0]
		for _, c := range side.keys {
			start := len(buf)
			buf = append(buf, 0, 0, 0, 0) // the part's length: "a\x00b" never equals "a" + "\x00b"
			var ok bool
			if buf, ok = appendJoinKey(buf, c, i); !ok {
				return nil, false
			}
			n := len(buf) - start - 4
			buf[start], buf[start+1], buf[start+2], buf[start+3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
		}
		return buf, true
	}
	// Map entries: the key's text, its header and the map's own overhead.
	m := &meter{lim: rs.lim}
	head := make(map[string]int32, nr)
	next := make([]int32, nr)
	for i := nr - 1; i >= 0; i-- { // backwards, so each chain runs in row order
		if err := rs.check(i); err != nil {
			return nil, nil, err
		}
		next[i] = -1
		k, ok := keyOf(right, i)
		if !ok {
			continue
		}
		if h, found := head[string(k)]; found {
			next[i] = h
		} else if err := m.add(int64(len(k)) + 64); err != nil {
			return nil, nil, err
		}
		head[string(k)] = int32(i)
	}
	var matched []bool
	if how == JoinOuter {
		matched = make([]bool, nr)
	}
	limit := rs.lim.MaxRows
	add := func(l, r int32) error {
		if len(li) >= limit {
			return tooManyRows(limit)
		}
		li, ri = append(li, l), append(ri, r)
		if err := m.add(8); err != nil {
			return err
		}
		return nil
	}
	for i := 0; i < nl; i++ {
		if err := rs.check(i); err != nil {
			return nil, nil, err
		}
		h := int32(-1)
		if k, ok := keyOf(left, i); ok {
			if v, found := head[string(k)]; found {
				h = v
			}
		}
		if h < 0 && how != JoinInner {
			if err := add(int32(i), -1); err != nil {
				return nil, nil, err
			}
		}
		for ; h >= 0; h = next[h] {
			if err := add(int32(i), h); err != nil {
				return nil, nil, err
			}
			if matched != nil {
				matched[h] = true
			}
		}
	}
	for j, ok := range matched {
		if !ok {
			if err := add(-1, int32(j)); err != nil {
				return nil, nil, err
			}
		}
	}
	return li, ri, nil
}

// joinKey is a key field of the output: the left side's value, or for an
// outer join's unmatched right rows the right side's. When the sides' types
// differ the field is a string of the keys' text.
func joinKey(lc, rc *column, li, ri []int32) *column {
	if lc.typ == rc.typ {
		c := take(lc, li)
		for k, l := range li {
			if l < 0 {
				copyCell(c, k, rc, int(ri[k]))
			}
		}
		return c
	}
	c := newColumn(lc.name, tString, len(li))
	for k, l := range li {
		src, i := lc, int(l)
		if l < 0 {
			src, i = rc, int(ri[k])
		}
		if b, ok := appendJoinKey(nil, src, i); ok {
			s := string(b)
			c.strs[k] = &s
		}
	}
	return c
}
