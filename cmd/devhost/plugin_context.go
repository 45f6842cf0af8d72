package main

import (
	"net/http"
	"runtime"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// pluginContext builds the PluginContext Grafana sends with every call: who asks, from which org, through which
// Grafana, for which data source (with decrypted secrets, which only the plugin ever sees).
func (s *server) pluginContext(u *user, ds *dataSource) *pluginv2.PluginContext {
	return &pluginv2.PluginContext{
		OrgId:         ds.OrgID,
		PluginId:      s.cfg.pluginID,
		PluginVersion: s.plugin().version,
		User: &pluginv2.User{
			Login: u.Login,
			Name:  u.Name,
			Email: u.Email,
			Role:  u.Role,
		},
		UserAgent:                  "Grafana/" + grafanaVersion + " (" + runtime.GOOS + "; " + runtime.GOARCH + ")",
		GrafanaConfig:              map[string]string{"GF_APP_URL": s.appURL},
		DataSourceInstanceSettings: ds.settings,
	}
}

// lookupDataSource finds uid in the user's org. Grafana answers a malformed uid with 400 and a uid it cannot load
// with 500 "Unable to load datasource meta data" (not 404), and the dev host keeps those answers.
func (s *server) lookupDataSource(w http.ResponseWriter, u *user, uid string) *dataSource {
	if !validUID(uid) {
		writeJSONError(w, http.StatusBadRequest, "UID is invalid")
		return nil
	}
	ds := s.datasources.get(u.OrgID, uid)
	if ds == nil {
		writeJSONError(w, http.StatusInternalServerError, "Unable to load datasource meta data")
		return nil
	}
	return ds
}

const msgPluginUnavailable = "Plugin unavailable"

// pluginUnavailable answers 503 when the plugin process is gone, as Grafana does for a plugin that is not running.
func (s *server) pluginUnavailable(w http.ResponseWriter) bool {
	if !s.plugin().exited() {
		return false
	}
	writeJSONError(w, http.StatusServiceUnavailable, msgPluginUnavailable)
	return true
}

// pluginCallFailed answers a failed gRPC call as Grafana does: 503 when the plugin is down, 404 (notImplemented)
// when the plugin does not implement the call, otherwise 500 (failed). The error itself is only logged.
func (s *server) pluginCallFailed(w http.ResponseWriter, err error, notImplemented, failed string) {
	switch {
	case s.plugin().exited() || status.Code(err) == codes.Unavailable:
		s.logger.Warn("plugin unavailable", "error", err)
		writeJSONError(w, http.StatusServiceUnavailable, msgPluginUnavailable)
	case status.Code(err) == codes.Unimplemented:
		writeJSONError(w, http.StatusNotFound, notImplemented)
	default:
		s.logger.Error(failed, "error", err)
		writeJSONError(w, http.StatusInternalServerError, failed)
	}
}
