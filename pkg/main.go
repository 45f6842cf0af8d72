// Command gpx_relay is the Relay data source plugin's backend. Grafana starts
// it and talks to it over the plugin protocol (gRPC).
package main

import (
	"os"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/jqworker"
	"github.com/relay-gateway/relay/pkg/plugin"
	"github.com/relay-gateway/relay/pkg/shared"
)

func main() {
	// Before anything else: when the plugin started this process as a jq
	// worker (its sandbox for callers' jq programs), it serves as one and
	// exits here; otherwise the plugin may start such workers.
	jqworker.Main()

	// Every line the plugin logs crosses the process boundary to Grafana, which
	// filters by level only after parsing it. Relay's own lines (audit, errors)
	// log at info; the SDK's three lines per call ("Plugin Request Started/
	// Completed", which Grafana's own plugin middleware already logs host side)
	// only at warn and above. log_level in Grafana's
	// [plugin.relay-gateway-datasource] section (GF_PLUGIN_LOG_LEVEL) lowers both.
	level, explicit := logLevel(os.Getenv("GF_PLUGIN_LOG_LEVEL"))
	log.DefaultLogger = log.NewWithLevel(level)
	sdkLevel := log.Warn
	if explicit {
		sdkLevel = level
	}
	backend.Logger = log.NewWithLevel(sdkLevel)

	if gc, err := readGCSettings(os.Getenv); err != nil {
		// A tuning typo must not keep the data source from starting.
		log.DefaultLogger.Warn("ignoring the plugin's GC settings", "error", err.Error())
	} else {
		gc.apply()
	}

	opts := datasource.ManageOpts{GRPCSettings: backend.GRPCSettings{
		// Accept messages above every body limit Relay enforces, so an
		// oversized body gets Relay's 413 rather than a gRPC failure.
		MaxReceiveMsgSize: plugin.MaxMessageBytes,
	}}
	// One Redis client for the process, shared by every data source instance
	// (redis_url in [plugin.relay-gateway-datasource], GF_PLUGIN_REDIS_URL).
	var po plugin.Options
	po.Shared, po.SharedErr = shared.FromEnv(os.Getenv)
	if po.SharedErr != nil {
		// Not fatal: every data source still serves with process-local state,
		// and its health check shows what to fix.
		log.DefaultLogger.Error("shared state disabled", "error", po.SharedErr.Error())
	} else if po.Shared != nil {
		log.DefaultLogger.Info("shared state on Redis", "redis", po.Shared.Addr())
	}
	if err := datasource.Manage(plugin.ID, plugin.Factory(po), opts); err != nil {
		log.DefaultLogger.Error("serve", "error", err.Error())
		os.Exit(1)
	}
}

// logLevel reads a level name; explicit is false when none (or an unknown one) is set.
func logLevel(s string) (level log.Level, explicit bool) {
	switch strings.ToLower(s) {
	case "trace":
		return log.Trace, true
	case "debug":
		return log.Debug, true
	case "info":
		return log.Info, true
	case "warn", "warning":
		return log.Warn, true
	case "error":
		return log.Error, true
	default:
		return log.Info, false
	}
}
