package transform

import "github.com/grafana/grafana-plugin-sdk-go/data"

// buildFrame turns the final table into the output frame.
func buildFrame(name string, t *table) *data.Frame {
	if name == "" {
		name = defaultFrameName
	}
	fields := make([]*data.Field, len(t.cols))
	for i, c := range t.cols {
		fields[i] = c.field()
	}
	return data.NewFrame(name, fields...).SetMeta(&data.FrameMeta{})
}
