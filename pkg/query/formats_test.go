package query

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/transform"
)

func TestShapeOutput(t *testing.T) {
	str := func(name string) *data.Field { return data.NewField(name, nil, []*string{nil}) }
	tm := func(name string) *data.Field { return data.NewField(name, nil, []*time.Time{nil}) }
	num := func(name string) *data.Field { return data.NewField(name, nil, []*float64{nil}) }
	cases := []struct {
		format string
		fields []*data.Field
		vis    data.VisType
		first  string
		name   string
		err    string
	}{
		{"logs", []*data.Field{str("level"), str("body"), tm("time")}, data.VisTypeLogs, "time", "", ""},
		{"logs", []*data.Field{str("body")}, "", "", "", "needs a time field"},
		{"logs", []*data.Field{tm("time"), num("n")}, "", "", "", "needs a string field"},
		{"trace", []*data.Field{str("traceID"), str("spanID"), str("parentSpanID"), str("operationName"), str("serviceName"),
			num("startTime"), num("duration")}, data.VisTypeTrace, "traceID", "", ""},
		{"trace", []*data.Field{str("traceID"), str("spanID")}, "", "", "", "parentSpanID, operationName, serviceName, startTime, duration"},
		{"nodegraph", []*data.Field{str("id"), str("title")}, data.VisTypeNodeGraph, "id", "nodes", ""},
		{"nodegraph", []*data.Field{str("id"), str("source"), str("target")}, data.VisTypeNodeGraph, "id", "edges", ""},
		{"nodegraph", []*data.Field{str("source")}, "", "", "", "lacks the field id"},
		{"table", []*data.Field{str("a")}, "", "a", "", ""},
	}
	for _, c := range cases {
		f := data.NewFrame("result", c.fields...)
		err := shapeOutput(c.format, &transform.Result{Frames: data.Frames{f}})
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %v: err %v, want %q", c.format, c.fields, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.format, err)
		default:
			var vis data.VisType
			if f.Meta != nil {
				vis = f.Meta.PreferredVisualization
			}
			if vis != c.vis || f.Fields[0].Name != c.first || (c.name != "" && f.Name != c.name) {
				t.Errorf("%s: vis %q first %q name %q", c.format, vis, f.Fields[0].Name, f.Name)
			}
		}
	}
}
