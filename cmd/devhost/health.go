package main

import (
	"encoding/json"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// serveLiveness answers GET /api/health like Grafana's liveness endpoint.
func (s *server) serveLiveness(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"database": "ok", "version": grafanaVersion})
}

// servePluginInfo answers GET /api/devhost/plugin (dev host only) with the plugin's PID, so benchmarks can read
// /proc/<pid>/status and tests can kill the plugin to check the 503 path and the restart.
func (s *server) servePluginInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"pid":      s.plugin().pid,
		"pluginId": s.cfg.pluginID,
		"version":  s.plugin().version,
		"path":     s.plugin().path,
		"exited":   s.plugin().exited(),
	})
}

// healthResponse is Grafana's answer to a data source health check.
type healthResponse struct {
	Status  string          `json:"status"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details,omitempty"`
}

// serveHealthCheck answers GET /api/datasources/uid/{uid}/health with the plugin's CheckHealth: 200 when the
// status is OK, 400 otherwise, as Grafana does.
func (s *server) serveHealthCheck(w http.ResponseWriter, r *http.Request, u *user) {
	ds := s.lookupDataSource(w, u, r.PathValue("uid"))
	if ds == nil {
		return
	}
	if s.pluginUnavailable(w) {
		return
	}
	resp, err := s.plugin().diagnostics.CheckHealth(r.Context(), &pluginv2.CheckHealthRequest{
		PluginContext: s.pluginContext(u, ds),
		Headers:       map[string]string{},
	})
	if err != nil {
		s.pluginCallFailed(w, err, "Health check not implemented", "Plugin health check failed")
		return
	}
	out := healthResponse{Status: resp.Status.String(), Message: resp.Message}
	if len(resp.JsonDetails) > 0 && json.Valid(resp.JsonDetails) {
		out.Details = resp.JsonDetails
	}
	code := http.StatusOK
	if resp.Status != pluginv2.CheckHealthResponse_OK {
		code = http.StatusBadRequest
	}
	writeJSON(w, code, out)
}

// servePluginMetrics answers GET /api/plugins/{id}/metrics (Admin) with the plugin's Prometheus metrics
// (CollectMetrics), as Grafana's route of that name does; soak benchmarks read go_goroutines from it.
func (s *server) servePluginMetrics(w http.ResponseWriter, r *http.Request, u *user) {
	if r.PathValue("id") != s.cfg.pluginID {
		writeJSONError(w, http.StatusNotFound, "Plugin not found")
		return
	}
	if u.Role != "Admin" {
		writeJSONError(w, http.StatusForbidden, "Permission denied")
		return
	}
	if s.pluginUnavailable(w) {
		return
	}
	resp, err := s.plugin().diagnostics.CollectMetrics(r.Context(), &pluginv2.CollectMetricsRequest{})
	if err != nil {
		s.pluginCallFailed(w, err, "Metrics not implemented", "Plugin metrics failed")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.WriteHeader(http.StatusOK)
	if resp.Metrics != nil {
		_, _ = w.Write(resp.Metrics.Prometheus)
	}
}
