package transform

import (
	"errors"
	"fmt"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// toTimeSeriesLong prepares t as a long time series: the first time field
// moves to the front, rows without a time are dropped (a time series cannot
// place them), and rows are sorted by time ascending, stably.
func toTimeSeriesLong(rs *runState, t *table, shape string) error {
	ti := -1
	for i, c := range t.cols {
		if c.typ == tTime {
			ti = i
			break
		}
	}
	if ti < 0 {
		return pipelineError(verr("shape", "%s needs a time field; fields: %s", shape, describeSchema(t.schema())))
	}
	tc := t.cols[ti]
	t.cols = append([]*column{tc}, slices.Delete(slices.Clone(t.cols), ti, ti+1)...)

	idx := make([]int, 0, t.n)
	for i := 0; i < t.n; i++ {
		if tc.times[i] != nil {
			idx = append(idx, i)
		}
	}
	if dropped := t.n - len(idx); dropped > 0 {
		rs.ns.warn("%d %s without a value for time field %q left out of the time series", dropped, plural(dropped, "row", "rows"), tc.name)
	}
	if err := rs.sortStable(idx, func(a, b int) int { return tc.times[a].Compare(*tc.times[b]) }); err != nil {
		return err
	}
	t.take(idx)
	return nil
}

// toWide converts a long frame with the SDK's LongToWide: string and boolean
// fields become labels, missing points are null. A frame without such fields
// already is wide.
func toWide(long *data.Frame, t *table, lim Limits) (*data.Frame, error) {
	hasFactor := false
	for i, c := range t.cols {
		if c.typ != tString && c.typ != tBool {
			continue
		}
		hasFactor = true
		// LongToWide rejects null label values; an empty label is what it
		// documents for them.
		if f := factorField(c); f != nil {
			long.Fields[i] = f
		}
	}
	if !hasFactor || t.n == 0 {
		long.Meta.Type = data.FrameTypeTimeSeriesWide
		long.Meta.TypeVersion = data.FrameTypeVersion{0, 1}
		return long, nil
	}
	wide, err := data.LongToWideWithLimit(long, &data.FillMissing{Mode: data.FillModeNull}, lim.MaxCells)
	if errors.Is(err, data.ErrorWideFrameTooLarge) {
		return nil, &Error{Code: CodeOutputTooLarge, Message: fmt.Sprintf("the wide time series would exceed %d cells", lim.MaxCells), err: err}
	}
	if err != nil { // the long frame is prepared so that LongToWide accepts it
		return nil, fmt.Errorf("long to wide: %w", err)
	}
	return wide, nil
}

// factorField returns a copy of a label column without nulls (booleans as
// their text), or nil when the column has no nulls.
func factorField(c *column) *data.Field {
	hasNull := false
	for i := 0; i < c.len(); i++ {
		hasNull = hasNull || c.isNull(i)
	}
	if !hasNull {
		return nil
	}
	vals := make([]string, c.len())
	for i := range vals {
		switch {
		case c.isNull(i):
		case c.typ == tBool && *c.bools[i]:
			vals[i] = "true"
		case c.typ == tBool:
			vals[i] = "false"
		default:
			vals[i] = *c.strs[i]
		}
	}
	return data.NewField(c.name, nil, vals)
}
