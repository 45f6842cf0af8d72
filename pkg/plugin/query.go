package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// QueryData runs each query; until the query engine is wired every query
// reports that it is not available.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		if d.invalid != nil {
			resp.Responses[q.RefID] = backend.ErrorResponseWithErrorSource(backend.PluginError(d.invalid))
			continue
		}
		resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusNotImplemented, "queries are not available yet")
	}
	return resp, nil
}
