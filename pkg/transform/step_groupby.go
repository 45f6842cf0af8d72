package transform

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// GroupByStep makes one row per distinct combination of the By fields (null
// is a value) and time bucket, with the aggregates of its rows. Output: the
// bucket field, the By fields, the aggregates.
type GroupByStep struct {
	By         []Key       `json:"by,omitempty"` // field names only (no desc)
	TimeBucket *TimeBucket `json:"timeBucket,omitempty"`
	Aggregates []Aggregate `json:"aggregates,omitempty"`
}

// TimeBucket truncates a time field to multiples of Interval (aligned to the Unix epoch)
// before grouping.
type TimeBucket struct {
	Field string `json:"field"`
	// Interval is a duration in Grafana's grammar (gtime): a Go duration
	// ("90s", "5m", "1h30m") or a whole number of d, w, M or y ("1d", "2w").
	Interval string `json:"interval"`
}

// Aggregate computes one output field per group.
type Aggregate struct {
	// Op is one of count, sum, avg, min, max, first, last.
	Op string `json:"op"`
	// Field is the input field; optional for count (then rows are counted).
	Field string `json:"field,omitempty"`
	// As names the output field; defaults to "<op>_<field>" (or "count").
	As string `json:"as,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepGroupBy, order: 60,
		fields: []StepField{
			{Name: "by", Type: "array", Description: "fields to group by"},
			{Name: "timeBucket", Type: "object", Description: "{\"field\": time field, \"interval\": \"5m\"}: group by time too"},
			{Name: "aggregates", Type: "array", Description: "[{\"op\": count|sum|avg|min|max|first|last, \"field\": …, \"as\": …}]"},
		},
		decode: decodeGroupBy})
}

func decodeGroupBy(o jsonObject, path string) (Step, *ValidationError) {
	var s GroupByStep
	var err *ValidationError
	if s.By, err = keysAt(o, "by", path); err != nil {
		return nil, err
	}
	if r, ok := o.get("timeBucket"); ok {
		tb, err := objectAt(r, path+".timeBucket")
		if err != nil {
			return nil, err
		}
		if err := tb.allow("field", "interval"); err != nil {
			return nil, err
		}
		var b TimeBucket
		if b.Field, err = tb.str("field"); err != nil {
			return nil, err
		}
		if b.Interval, err = tb.str("interval"); err != nil {
			return nil, err
		}
		s.TimeBucket = &b
	}
	aggs, err := o.array("aggregates")
	if err != nil {
		return nil, err
	}
	for i, r := range aggs {
		ao, err := objectAt(r, fmt.Sprintf("%s.aggregates[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if err := ao.allow("op", "field", "as"); err != nil {
			return nil, err
		}
		var a Aggregate
		if a.Op, err = ao.str("op"); err != nil {
			return nil, err
		}
		if a.Field, err = ao.str("field"); err != nil {
			return nil, err
		}
		if a.As, err = ao.str("as"); err != nil {
			return nil, err
		}
		s.Aggregates = append(s.Aggregates, a)
	}
	return &s, nil
}

func (s *GroupByStep) StepType() string { return StepGroupBy }

func (s *GroupByStep) MarshalJSON() ([]byte, error) {
	type plain GroupByStep
	return marshalStep(StepGroupBy, (*plain)(s))
}

var aggregateOps = []string{"count", "sum", "avg", "min", "max", "first", "last", "distinct"}

func (s *GroupByStep) validate(path string) *ValidationError {
	if len(s.By) == 0 && s.TimeBucket == nil && len(s.Aggregates) == 0 {
		return verr(path, "needs by, timeBucket or aggregates")
	}
	for i, k := range s.By {
		p := fmt.Sprintf("%s.by[%d]", path, i)
		if k.Field == "" {
			return verr(p, "field name required")
		}
		if k.Desc {
			return verr(p+".desc", "not allowed in groupBy")
		}
	}
	if tb := s.TimeBucket; tb != nil {
		if tb.Field == "" {
			return verr(path+".timeBucket.field", "required")
		}
		if _, err := parseInterval(tb.Interval); err != nil {
			return verr(path+".timeBucket.interval", "%s", err.Error())
		}
	}
	for i, a := range s.Aggregates {
		p := fmt.Sprintf("%s.aggregates[%d]", path, i)
		if !slices.Contains(aggregateOps, a.Op) {
			return verr(p+".op", "unknown op %q (one of %s)", a.Op, strings.Join(aggregateOps, ", "))
		}
		if a.Field == "" && a.Op != "count" {
			return verr(p+".field", "required for %s", a.Op)
		}
		if a.As != "" {
			if err := checkName(p+".as", a.As); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupBy output: [time bucket] + by fields + aggregates.
func (st *GroupByStep) plan(s []field, path string) (stepRun, []field, *ValidationError) {
	var out []field
	var interval time.Duration
	if tb := st.TimeBucket; tb != nil {
		j := schemaIndex(s, tb.Field)
		if j < 0 {
			return nil, nil, unknownField(path+".timeBucket.field", tb.Field, s)
		}
		if t := s[j].typ; t != tTime && t != tUnknown {
			return nil, nil, verr(path+".timeBucket.field", "%q is a %s field, not a time field", tb.Field, t)
		}
		interval, _ = parseInterval(tb.Interval)
		out = append(out, field{name: tb.Field, typ: tTime})
	}
	for j, k := range st.By {
		p := fmt.Sprintf("%s.by[%d]", path, j)
		i := schemaIndex(s, k.Field)
		if i < 0 {
			return nil, nil, unknownField(p, k.Field, s)
		}
		if schemaIndex(out, k.Field) >= 0 {
			return nil, nil, verr(p, "%q is grouped on twice", k.Field)
		}
		out = append(out, s[i])
	}
	for j, a := range st.Aggregates {
		p := fmt.Sprintf("%s.aggregates[%d]", path, j)
		typ := tNumber
		if a.Field != "" {
			i := schemaIndex(s, a.Field)
			if i < 0 {
				return nil, nil, unknownField(p+".field", a.Field, s)
			}
			ft := s[i].typ
			switch a.Op {
			case "sum", "avg":
				if !ft.isNumeric() && ft != tUnknown {
					return nil, nil, verr(p+".field", "%s needs a number field; %q is %s", a.Op, a.Field, ft)
				}
			case "min", "max":
				if ft == tBool || ft == tJSON {
					return nil, nil, verr(p+".field", "%s needs a number, string or time field; %q is %s", a.Op, a.Field, ft)
				}
				typ = ft
			case "first", "last":
				typ = ft
			}
		}
		name := aggName(a)
		if schemaIndex(out, name) >= 0 {
			return nil, nil, verr(p+".as", "a field named %q already exists in the output; set a different \"as\"", name)
		}
		out = append(out, field{name: name, typ: typ})
	}
	return &groupByRun{step: st, path: path, interval: interval}, out, nil
}

func aggName(a Aggregate) string {
	switch {
	case a.As != "":
		return a.As
	case a.Field == "":
		return a.Op
	}
	return a.Op + "_" + a.Field
}

type groupByRun struct {
	step     *GroupByStep
	path     string
	interval time.Duration
}

// run groups rows by the "by" fields (null is a group of its own) and
// the optional time bucket, and computes the aggregates per group. Groups come
// out in first-seen order, or by bucket time (then first-seen) with a bucket.
// Rows whose bucket field is null are dropped, and counted in a notice.
func (r *groupByRun) run(rs *runState, t *table) error {
	sp := r
	var bucket *column
	if tb := sp.step.TimeBucket; tb != nil {
		if bucket = t.col(tb.Field); bucket == nil {
			return pipelineError(unknownField(sp.path+".timeBucket.field", tb.Field, t.schema()))
		}
		if bucket.typ != tTime {
			return pipelineError(verr(sp.path+".timeBucket.field", "%q is a %s field, not a time field", tb.Field, bucket.typ))
		}
	}
	keyCols := make([]*column, len(sp.step.By))
	for j, k := range sp.step.By {
		if keyCols[j] = t.col(k.Field); keyCols[j] == nil {
			return pipelineError(unknownField(fmt.Sprintf("%s.by[%d]", sp.path, j), k.Field, t.schema()))
		}
	}
	aggs := make([]*aggregator, len(sp.step.Aggregates))
	for j, a := range sp.step.Aggregates {
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
		rs.ns.warn("%s: %d %s without a %q value left out of the groups", sp.path, dropped, plural(dropped, "row", "rows"), sp.step.TimeBucket.Field)
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
	case tInt64:
		return binary.LittleEndian.AppendUint64(append(key, 6), uint64(*c.ints[i]))
	case tUint64:
		return binary.LittleEndian.AppendUint64(append(key, 7), *c.uints[i])
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
