package transform

import (
	"cmp"
	"encoding/binary"
	"fmt"
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
		cols = append(cols, take(c, rows))
	}
	for _, ag := range aggs {
		cols = append(cols, ag.column(order))
	}
	t.cols, t.n = cols, ng
	return nil
}
