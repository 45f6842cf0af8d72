package transform

import "fmt"

// aggregator computes one aggregate per group.
type aggregator struct {
	op   string
	name string
	src  *column // nil for count without a field

	count []int                 // count, avg, distinct
	seen  []map[string]struct{} // distinct: the values seen per group, by their group key encoding
	sum   []float64             // sum, avg
	row   []int                 // min, max, first, last: the chosen row, -1 for none
	less  func(a, b int) int
}

func newAggregator(a Aggregate, t *table, path string, j int) (*aggregator, error) {
	ag := &aggregator{op: a.Op, name: aggName(a)}
	if a.Field == "" {
		return ag, nil
	}
	p := fmt.Sprintf("%s.aggregates[%d].field", path, j)
	if ag.src = t.col(a.Field); ag.src == nil {
		return nil, pipelineError(unknownField(p, a.Field, t.schema()))
	}
	switch ft := ag.src.typ; a.Op {
	case "sum", "avg":
		if !ft.isNumeric() {
			return nil, pipelineError(verr(p, "%s needs a number field; %q is %s", a.Op, a.Field, ft))
		}
	case "min", "max":
		if ft == tBool || ft == tJSON {
			return nil, pipelineError(verr(p, "%s needs a number, string or time field; %q is %s", a.Op, a.Field, ft))
		}
		ag.less = comparator(ag.src)
	}
	return ag, nil
}

func (ag *aggregator) init(n int) {
	switch ag.op {
	case "count":
		ag.count = make([]int, n)
	case "distinct":
		ag.count = make([]int, n)
		ag.seen = make([]map[string]struct{}, n)
	case "sum":
		ag.sum = make([]float64, n)
		ag.count = make([]int, n)
	case "avg":
		ag.sum = make([]float64, n)
		ag.count = make([]int, n)
	default:
		ag.row = make([]int, n)
		for i := range ag.row {
			ag.row[i] = -1
		}
	}
}

func (ag *aggregator) add(g, i int) {
	if ag.src == nil { // count of rows
		ag.count[g]++
		return
	}
	if ag.src.isNull(i) {
		return
	}
	switch ag.op {
	case "count":
		ag.count[g]++
	case "distinct":
		k := string(appendKey(nil, ag.src, i))
		if ag.seen[g] == nil {
			ag.seen[g] = map[string]struct{}{}
		}
		if _, dup := ag.seen[g][k]; !dup {
			ag.seen[g][k] = struct{}{}
			ag.count[g]++
		}
	case "sum", "avg":
		ag.sum[g] += ag.src.num(i)
		ag.count[g]++
	case "first":
		if ag.row[g] < 0 {
			ag.row[g] = i
		}
	case "last":
		ag.row[g] = i
	case "min":
		if r := ag.row[g]; r < 0 || ag.less(i, r) < 0 {
			ag.row[g] = i
		}
	case "max":
		if r := ag.row[g]; r < 0 || ag.less(i, r) > 0 {
			ag.row[g] = i
		}
	}
}

// column builds the aggregate's output column with groups in the given order.
func (ag *aggregator) column(order []int) *column {
	n := len(order)
	switch ag.op {
	case "count", "sum", "avg", "distinct":
		c := newColumn(ag.name, tNumber, n)
		vals := make([]float64, n)
		for j, g := range order {
			switch {
			case ag.op == "count" || ag.op == "distinct":
				vals[j] = float64(ag.count[g])
			case ag.count[g] == 0: // sum/avg of no values is null
				continue
			case ag.op == "sum":
				vals[j] = ag.sum[g]
			default:
				vals[j] = ag.sum[g] / float64(ag.count[g])
			}
			c.nums[j] = &vals[j]
		}
		return c
	}
	c := newColumn(ag.name, ag.src.typ, n)
	for j, g := range order {
		if r := ag.row[g]; r >= 0 {
			copyCell(c, j, ag.src, r)
		}
	}
	return c
}

// copyCell points dst[j] at src[i]'s value (values are immutable, so sharing is safe).
func copyCell(dst *column, j int, src *column, i int) {
	switch src.typ {
	case tNumber:
		dst.nums[j] = src.nums[i]
	case tBool:
		dst.bools[j] = src.bools[i]
	case tTime:
		dst.times[j] = src.times[i]
	case tJSON:
		dst.raws[j] = src.raws[i]
	case tInt64:
		dst.ints[j] = src.ints[i]
	case tUint64:
		dst.uints[j] = src.uints[i]
	default:
		dst.strs[j] = src.strs[i]
	}
}
