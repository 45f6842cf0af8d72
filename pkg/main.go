// Command gpx_relay is the Relay data source plugin's backend. Grafana starts
// it and talks to it over the plugin protocol (gRPC).
package main

import (
	"os"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/plugin"
)

func main() {
	// Every line the plugin logs crosses the process boundary to Grafana, which
	// filters by level only after parsing it. Emit debug lines (two per call
	// from the SDK alone) only when asked: log_level in Grafana's
	// [plugin.relay-gateway-datasource] section arrives as GF_PLUGIN_LOG_LEVEL.
	logger := log.NewWithLevel(logLevel(os.Getenv("GF_PLUGIN_LOG_LEVEL")))
	log.DefaultLogger, backend.Logger = logger, logger

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

func logLevel(s string) log.Level {
	switch strings.ToLower(s) {
	case "trace":
		return log.Trace
	case "debug":
		return log.Debug
	case "warn", "warning":
		return log.Warn
	case "error":
		return log.Error
	default:
		return log.Info
	}
}
