package transform

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// frameColumn reads every SDK field type a query's frame may hold, plain
// or nullable, to the column type of frameTypes; narrower numbers as
// numbers; anything else (enums) as text. A nullable field's null stays
// null, and its values are shared, not copied.
func TestFrameColumnTypes(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	raw := json.RawMessage(`{"a":1}`)
	f64, s, i64 := 1.5, "x", int64(-7)
	cases := []struct {
		field *data.Field
		typ   colType
		want  any
	}{
		{data.NewField("f", nil, []float64{1.5}), tNumber, 1.5},
		{data.NewField("f", nil, []*float64{&f64, nil}), tNumber, 1.5},
		{data.NewField("s", nil, []string{"x"}), tString, "x"},
		{data.NewField("s", nil, []*string{&s, nil}), tString, "x"},
		{data.NewField("b", nil, []bool{true}), tBool, true},
		{data.NewField("t", nil, []time.Time{at}), tTime, at},
		{data.NewField("j", nil, []json.RawMessage{raw}), tJSON, map[string]any{"a": 1.0}},
		{data.NewField("i", nil, []int64{-7}), tInt64, -7},
		{data.NewField("i", nil, []*int64{&i64, nil}), tInt64, -7},
		{data.NewField("u", nil, []uint64{7}), tUint64, uint64(7)},
		{data.NewField("n", nil, []int8{3}), tNumber, 3.0},
		{data.NewField("n", nil, []*float32{nil}), tNumber, nil},
		{data.NewField("e", nil, []data.EnumItemIndex{2}), tString, "2"},
	}
	for _, tc := range cases {
		n := tc.field.Len()
		c, err := frameColumn(tc.field, n)
		if err != nil {
			t.Fatalf("%s: %v", tc.field.Type(), err)
		}
		if c.typ != tc.typ || c.len() != n || fmt.Sprint(c.value(0)) != fmt.Sprint(tc.want) {
			t.Errorf("%s: type %v, %d rows, first %v; want %v, %d, %v", tc.field.Type(), c.typ, c.len(), c.value(0), tc.typ, n, tc.want)
		}
		if n > 1 && c.value(1) != nil {
			t.Errorf("%s: a null row is %v", tc.field.Type(), c.value(1))
		}
	}
	// Shared: the column points at the nullable field's own value.
	c, _ := frameColumn(data.NewField("f", nil, []*float64{&f64}), 1)
	if c.nums[0] != &f64 {
		t.Error("a nullable field's values were copied")
	}
}
