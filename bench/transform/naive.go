package transformbench

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// column is a name and type of the explicit column list.
type column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// NaiveColumns parses Columns for the baseline.
func NaiveColumns() []column {
	var cols []column
	if err := json.Unmarshal([]byte(Columns), &cols); err != nil {
		panic(err)
	}
	return cols
}

// Naive is the straightforward implementation the engine is measured against:
// json.Unmarshal into []map[string]any, then a type switch per value building
// the same nullable slices the engine produces, and the same frame.
func Naive(body []byte, cols []column) (*data.Frame, error) {
	var rows []map[string]any
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, err
	}
	fields := make([]*data.Field, len(cols))
	for j, c := range cols {
		switch c.Type {
		case "number":
			vals := make([]*float64, len(rows))
			for i, r := range rows {
				if v, ok := r[c.Name].(float64); ok {
					vals[i] = &v
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "string":
			vals := make([]*string, len(rows))
			for i, r := range rows {
				switch v := r[c.Name].(type) {
				case string:
					vals[i] = &v
				case nil:
				default:
					s := fmt.Sprint(v)
					vals[i] = &s
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "boolean":
			vals := make([]*bool, len(rows))
			for i, r := range rows {
				if v, ok := r[c.Name].(bool); ok {
					vals[i] = &v
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "time":
			vals := make([]*time.Time, len(rows))
			for i, r := range rows {
				if s, ok := r[c.Name].(string); ok {
					if t, err := time.Parse(time.RFC3339, s); err == nil {
						t = t.UTC()
						vals[i] = &t
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "json":
			vals := make([]*json.RawMessage, len(rows))
			for i, r := range rows {
				if v, ok := r[c.Name]; ok && v != nil {
					if raw, err := json.Marshal(v); err == nil {
						m := json.RawMessage(raw)
						vals[i] = &m
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		}
	}
	return data.NewFrame("result", fields...), nil
}
