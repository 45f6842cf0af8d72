// Command minimal is the baseline for Relay's gateway benchmarks: the
// smallest SDK data source plugin whose /ping resource writes "{}".
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

type instance struct{ backend.CallResourceHandler }

func (instance) CheckHealth(context.Context, *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk}, nil
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	})
	handler := httpadapter.New(mux)
	factory := func(context.Context, backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
		return instance{handler}, nil
	}
	if err := datasource.Manage("relay-gateway-datasource", factory, datasource.ManageOpts{}); err != nil {
		os.Exit(1)
	}
}
