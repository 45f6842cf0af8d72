package transform

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// runGroupBy groups rows by the "by" fields (null is a group of its own) and
// the optional time bucket, and computes the aggregates per group. Groups come
// out in first-seen order, or by bucket time (then first-seen) with a bucket.
// Rows whose bucket field is null are dropped, and counted in a notice.
func runGroupBy(rs *runState, sp stepPlan, t *table) error {
	var bucket *column
	if tb := sp.TimeBucket; tb != nil {
		if bucket = t.col(tb.Field); bucket == nil {
			return pipelineError(unknownField(sp.path+".timeBucket.field", tb.Field, t.schema()))
		}
		if bucket.typ != tTime {
			return pipelineError(verr(sp.path+".timeBucket.field", "%q is a %s field, not a time field", tb.Field, bucket.typ))
		}
	}
	keyCols := make([]*column, len(sp.By))
	for j, k := range sp.By {
		if keyCols[j] = t.col(k.Field); keyCols[j] == nil {
			return pipelineError(unknownField(fmt.Sprintf("%s.by[%d]", sp.path, j), k.Field, t.schema()))
		}
	}
	aggs := make([]*aggregator, len(sp.Aggregates))
	for j, a := range sp.Aggregates {
		ag, err := newAggregator(a, t, sp.path, j)
		if err != nil {
			return err
		}
		aggs[j] = ag
	}

	groups := map[string]int{}
	var firstRow []int  // group → its first row (for the by values)
	var buckets []int64 // group → bucket start (Unix nanoseconds, or seconds when whole)
	rowGroup := make([]int, 0, t.n)
	var key []byte
	wholeSeconds := sp.interval%time.Second == 0
	dropped := 0
	for i := 0; i < t.n; i++ {
		if err := rs.check(i); err != nil {
			return err
		}
		key = key[:0]
		var b int64
		if bucket != nil {
			tp := bucket.times[i]
			if tp == nil {
				dropped++
				rowGroup = append(rowGroup, -1)
				continue
			}
			b = truncate(*tp, sp.interval, wholeSeconds)
			key = binary.LittleEndian.AppendUint64(key, uint64(b))
		}
		for _, c := range keyCols {
			key = appendKey(key, c, i)
		}
		g, ok := groups[string(key)] // no allocation for the lookup
		if !ok {
			g = len(firstRow)
			groups[string(key)] = g
			firstRow = append(firstRow, i)
			buckets = append(buckets, b)
		}
		rowGroup = append(rowGroup, g)
	}
	if dropped > 0 {
		rs.ns.warn("%s: %d %s without a %q value left out of the groups", sp.path, dropped, plural(dropped, "row", "rows"), sp.TimeBucket.Field)
	}
	if len(firstRow) == 0 && bucket == nil && len(keyCols) == 0 {
		// Aggregates over the whole table give one row even without input
		// rows (count 0, sum null), like SQL.
		firstRow, buckets = append(firstRow, -1), append(buckets, 0)
	}
	ng := len(firstRow)
	for _, ag := range aggs {
		ag.init(ng)
	}
	for i, g := range rowGroup {
		if err := rs.check(i); err != nil {
			return err
		}
		if g < 0 {
			continue
		}
		for _, ag := range aggs {
			ag.add(g, i)
		}
	}

	order := make([]int, ng)
	for g := range order {
		order[g] = g
	}
	if bucket != nil {
		if err := rs.sortStable(order, func(a, b int) int { return cmp.Compare(buckets[a], buckets[b]) }); err != nil {
			return err
		}
	}

	var cols []*column
	if bucket != nil {
		bc := newColumn(bucket.name, tTime, ng)
		vals := make([]time.Time, ng)
		for j, g := range order {
			vals[j] = fromBucket(buckets[g], wholeSeconds)
			bc.times[j] = &vals[j]
		}
		cols = append(cols, bc)
	}
	rows := make([]int, ng)
	for j, g := range order {
		rows[j] = firstRow[g]
	}
	for _, c := range keyCols {
		cols = append(cols, c.take(rows))
	}
	for _, ag := range aggs {
		cols = append(cols, ag.column(order))
	}
	t.cols, t.n = cols, ng
	return nil
}

// truncate floors t to a multiple of d since the Unix epoch (the alignment
// Grafana and Prometheus use). Whole-second intervals work in seconds, which
// covers every year; finer ones in nanoseconds (years 1678–2262).
func truncate(t time.Time, d time.Duration, wholeSeconds bool) int64 {
	if wholeSeconds {
		return floorTo(t.Unix(), int64(d/time.Second))
	}
	return floorTo(t.UnixNano(), int64(d))
}

func floorTo(v, m int64) int64 {
	r := v % m
	if r < 0 {
		r += m
	}
	return v - r
}

func fromBucket(b int64, wholeSeconds bool) time.Time {
	if wholeSeconds {
		return time.Unix(b, 0).UTC()
	}
	return time.Unix(0, b).UTC()
}

// appendKey encodes row i of c into a group key: a type tag then the value, with
// length prefixes for text so different values never encode the same.
func appendKey(key []byte, c *column, i int) []byte {
	if c.isNull(i) {
		return append(key, 0)
	}
	switch c.typ {
	case tNumber:
		v := *c.nums[i]
		if v == 0 { // 0 and -0 are one group
			v = 0
		}
		return binary.LittleEndian.AppendUint64(append(key, 1), math.Float64bits(v))
	case tBool:
		if *c.bools[i] {
			return append(key, 2, 1)
		}
		return append(key, 2, 0)
	case tTime:
		tv := *c.times[i]
		key = binary.LittleEndian.AppendUint64(append(key, 3), uint64(tv.Unix()))
		return binary.LittleEndian.AppendUint32(key, uint32(tv.Nanosecond()))
	case tJSON:
		raw := *c.raws[i]
		key = binary.AppendUvarint(append(key, 4), uint64(len(raw)))
		return append(key, raw...)
	}
	s := *c.strs[i]
	key = binary.AppendUvarint(append(key, 5), uint64(len(s)))
	return append(key, s...)
}

// aggregator computes one aggregate per group.
type aggregator struct {
	op   string
	name string
	src  *column // nil for count without a field

	count []int     // count, avg
	sum   []float64 // sum, avg
	row   []int     // min, max, first, last: the chosen row, -1 for none
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
		if ft != tNumber {
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
	case "sum", "avg":
		ag.sum[g] += *ag.src.nums[i]
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
	case "count", "sum", "avg":
		c := newColumn(ag.name, tNumber, n)
		vals := make([]float64, n)
		for j, g := range order {
			switch {
			case ag.op == "count":
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
	default:
		dst.strs[j] = src.strs[i]
	}
}
