package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// QueryData runs the queries with the same engine as /transform, so alert
// rules (which run in the backend only) see what dashboards see.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	if d.invalid != nil {
		resp := backend.NewQueryDataResponse()
		for _, q := range req.Queries {
			resp.Responses[q.RefID] = backend.ErrorResponseWithErrorSource(backend.PluginError(d.invalid))
		}
		return resp, nil
	}
	return d.queries.QueryData(d.withJQ(ctx, req.PluginContext), req), nil
}
