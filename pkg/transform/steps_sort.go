package transform

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
)

// runSort orders rows by the keys, stably; nulls sort last in either direction.
func runSort(rs *runState, sp stepPlan, t *table) error {
	type key struct {
		cmp  func(a, b int) int // compares non-null values
		null func(i int) bool
		desc bool
	}
	keys := make([]key, len(sp.By))
	for j, k := range sp.By {
		c := t.col(k.Field)
		if c == nil {
			return pipelineError(unknownField(fmt.Sprintf("%s.by[%d].field", sp.path, j), k.Field, t.schema()))
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
	}
	return func(a, b int) int { return strings.Compare(*c.strs[a], *c.strs[b]) }
}
