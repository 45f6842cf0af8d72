// Command gpx_relay is the Relay data source plugin's backend. Grafana starts
// it and talks to it over the plugin protocol (gRPC).
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/plugin"
)

func main() {
	opts := datasource.ManageOpts{GRPCSettings: backend.GRPCSettings{
		// Accept messages above every body limit Relay enforces, so an
		// oversized body gets Relay's 413 rather than a gRPC failure.
		MaxReceiveMsgSize: plugin.MaxMessageBytes,
	}}
	if err := datasource.Manage(plugin.ID, plugin.NewDatasource, opts); err != nil {
		log.DefaultLogger.Error("serve", "error", err.Error())
		os.Exit(1)
	}
}
