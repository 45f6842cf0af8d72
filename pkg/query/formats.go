package query

import (
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/transform"
)

// traceFields are the fields Grafana's trace view needs (its data frame
// contract); nodeFields those of a node graph's nodes frame.
var (
	traceFields = []string{"traceID", "spanID", "parentSpanID", "operationName", "serviceName", "startTime", "duration"}
	nodeFields  = []string{"id"}
	edgeFields  = []string{"id", "source", "target"}
)

// shapeOutput applies the query's output format beyond the pipeline's shape:
// logs (time first, preferred visualisation logs), trace and node graph
// (when the fields their views need are there; otherwise a query error
// naming the missing ones).
func shapeOutput(format string, res *transform.Result) error {
	for _, f := range res.Frames {
		var vis data.VisType
		switch format {
		case "logs":
			i := slices.IndexFunc(f.Fields, func(fl *data.Field) bool { return fl.Type().Time() })
			if i < 0 {
				return apierr.BadRequest("invalid_format", "format logs: the frame needs a time field (e.g. a column of type time)")
			}
			if !slices.ContainsFunc(f.Fields, func(fl *data.Field) bool {
				return fl.Type() == data.FieldTypeNullableString || fl.Type() == data.FieldTypeString
			}) {
				return apierr.BadRequest("invalid_format", "format logs: the frame needs a string field for the log line (e.g. body or message)")
			}
			f.Fields = append(append([]*data.Field{f.Fields[i]}, f.Fields[:i]...), f.Fields[i+1:]...)
			vis = data.VisTypeLogs
		case "trace":
			if missing := missingFields(f, traceFields); len(missing) > 0 {
				return apierr.BadRequest("invalid_format", "format trace: the frame lacks the fields %s (rename or compute them)", strings.Join(missing, ", "))
			}
			vis = data.VisTypeTrace
		case "nodegraph":
			if missing := missingFields(f, nodeFields); len(missing) > 0 {
				return apierr.BadRequest("invalid_format", "format nodegraph: the frame lacks the field id (and source, target for edges)")
			}
			if len(missingFields(f, edgeFields)) == 0 {
				f.Name = "edges"
			} else {
				f.Name = "nodes"
			}
			vis = data.VisTypeNodeGraph
		default:
			continue
		}
		if f.Meta == nil {
			f.Meta = &data.FrameMeta{}
		}
		f.Meta.PreferredVisualization = vis
	}
	return nil
}

func missingFields(f *data.Frame, want []string) []string {
	var missing []string
	for _, name := range want {
		if _, i := f.FieldByName(name); i < 0 {
			missing = append(missing, name)
		}
	}
	return missing
}
