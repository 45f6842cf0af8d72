package transform

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
)

// SortStep orders rows by the keys, stably; nulls sort last in either
// direction, strings byte-wise, booleans false < true.
type SortStep struct {
	By []Key `json:"by,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepSort, order: 40,
		fields: []StepField{{Name: "by", Type: "array", Required: true,
			Description: "keys in priority order: \"field\" or {\"field\": \"x\", \"desc\": true}"}},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			by, err := keysAt(o, "by", path)
			return &SortStep{By: by}, err
		}})
}

func (s *SortStep) StepType() string { return StepSort }

func (s *SortStep) MarshalJSON() ([]byte, error) {
	type plain SortStep
	return marshalStep(StepSort, (*plain)(s))
}

func (s *SortStep) validate(path string) *ValidationError {
	if len(s.By) == 0 {
		return verr(path+".by", "at least one field required")
	}
	for i, k := range s.By {
		if k.Field == "" {
			return verr(fmt.Sprintf("%s.by[%d].field", path, i), "required")
		}
	}
	return nil
}

func (s *SortStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	for j, k := range s.By {
		if schemaIndex(in, k.Field) < 0 {
			return nil, nil, unknownField(fmt.Sprintf("%s.by[%d].field", path, j), k.Field, in)
		}
	}
	return &sortRun{by: s.By, path: path}, in, nil
}

type sortRun struct {
	by   []Key
	path string
}

func (r *sortRun) run(rs *runState, t *table) error {
	type key struct {
		cmp  func(a, b int) int // compares non-null values
		null func(i int) bool
		desc bool
	}
	keys := make([]key, len(r.by))
	for j, k := range r.by {
		c := t.col(k.Field)
		if c == nil {
			return pipelineError(unknownField(fmt.Sprintf("%s.by[%d].field", r.path, j), k.Field, t.schema()))
		}
		keys[j] = key{cmp: comparator(c), null: c.isNull, desc: k.Desc}
	}
	idx := make([]int, t.n)
	for i := range idx {
		idx[i] = i
	}
	err := rs.sortStable(idx, func(a, b int) int {
		for _, k := range keys {
			na, nb := k.null(a), k.null(b)
			switch {
			case na && nb:
				continue
			case na:
				return 1
			case nb:
				return -1
			}
			if r := k.cmp(a, b); r != 0 {
				if k.desc {
					return -r
				}
				return r
			}
		}
		return 0
	})
	if err != nil {
		return err
	}
	t.take(idx)
	return nil
}

// comparator compares two non-null rows of c. Strings compare by bytes
// (deterministic, locale-free), booleans false < true, JSON by its text.
func comparator(c *column) func(a, b int) int {
	switch c.typ {
	case tNumber:
		return func(a, b int) int { return cmp.Compare(*c.nums[a], *c.nums[b]) }
	case tBool:
		return func(a, b int) int {
			x, y := *c.bools[a], *c.bools[b]
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case tTime:
		return func(a, b int) int { return c.times[a].Compare(*c.times[b]) }
	case tJSON:
		return func(a, b int) int { return bytes.Compare(*c.raws[a], *c.raws[b]) }
	case tInt64:
		return func(a, b int) int { return cmp.Compare(*c.ints[a], *c.ints[b]) }
	case tUint64:
		return func(a, b int) int { return cmp.Compare(*c.uints[a], *c.uints[b]) }
	}
	return func(a, b int) int { return strings.Compare(*c.strs[a], *c.strs[b]) }
}
