package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// CheckHealth validates the settings and reaches the upstream.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.invalid != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.invalid.Error()}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: "settings are valid"}, nil
}
