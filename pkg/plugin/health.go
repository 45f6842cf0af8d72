package plugin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// CheckHealth validates the settings and reaches the upstream's health path,
// with a message that says what to fix.
func (d *Datasource) CheckHealth(ctx context.Context, hr *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.invalid != nil {
		return healthError("Settings are invalid: %s", strings.TrimPrefix(d.invalid.Error(), "invalid settings: ")), nil
	}
	path := d.settings.HealthPath
	req, err := d.client.NewRequest(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return healthError("Health path %q is not usable: %s", path, upstream.Classify(err).Error()), nil
	}
	// The health path is the admin's own: sent as configured; a redirect
	// elsewhere passes the proxy rules for the user who pressed Save & test.
	caller := authz.Caller{Login: "grafana-health", Role: role.Viewer}
	if u := hr.PluginContext.User; u != nil && u.Login != "" {
		caller = authz.Caller{Login: u.Login, Role: role.FromGrafana(u.Role)}
	}
	req = req.WithContext(authz.WithGrant(req.Context(), authz.Grant{Caller: caller, Purpose: "health",
		Fixed: &authz.FixedRequest{Method: req.Method, URL: req.URL.String()}}))
	resp, err := d.client.Do(req)
	if err != nil {
		return healthError("Cannot reach the upstream at %s: %s", d.client.Origin(), upstream.Classify(err).Error()), nil
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return healthError("The upstream refused Relay's credentials (HTTP %d on %s); check the auth settings", resp.StatusCode, path), nil
	case resp.StatusCode >= 400:
		return healthError("The upstream answered HTTP %d on %s; set jsonData.healthPath to an endpoint that answers 2xx", resp.StatusCode, path), nil
	}
	msg := fmt.Sprintf("Upstream %s reachable (HTTP %d on %s)", d.client.Origin(), resp.StatusCode, path)
	if w := d.client.Warnings(); len(w) > 0 {
		msg += ". Warning: " + strings.Join(w, "; ")
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: msg}, nil
}

func healthError(format string, args ...any) *backend.CheckHealthResult {
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: fmt.Sprintf(format, args...)}
}
