package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"golang.org/x/sync/errgroup"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// healthConcurrency bounds the upstreams checked at once.
const healthConcurrency = 8

// upstreamHealth is one upstream's result, in CheckHealth's JSONDetails.
type upstreamHealth struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// CheckHealth validates the settings and reaches each upstream's health
// path, with a message that says which upstream fails and what to fix.
func (d *Datasource) CheckHealth(ctx context.Context, hr *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.invalid != nil {
		return healthError("Settings are invalid: %s", strings.TrimPrefix(d.invalid.Error(), "invalid settings: ")), nil
	}
	// The health path is the admin's own: sent as configured; a redirect
	// elsewhere passes the proxy rules for the user who pressed Save & test.
	caller := authz.Caller{Login: "grafana-health", Role: role.Viewer}
	if u := hr.PluginContext.User; u != nil && u.Login != "" {
		caller = authz.Caller{Login: u.Login, Role: role.FromGrafana(u.Role)}
	}
	clients := d.set.All()
	results := make([]upstreamHealth, len(clients))
	var g errgroup.Group
	g.SetLimit(healthConcurrency)
	for i, c := range clients {
		g.Go(func() error {
			ok, msg := checkUpstream(ctx, c, caller)
			results[i] = upstreamHealth{Name: settings.ShownUpstream(c.Name()), OK: ok, Message: msg}
			return nil
		})
	}
	_ = g.Wait()
	if len(results) == 1 {
		return d.withSharedState(ctx, healthResult(results[0].OK, results[0].Message)), nil
	}
	return d.withSharedState(ctx, summarize(results)), nil
}

// sharedHealth is the shared state (Redis) in CheckHealth's JSONDetails.
type sharedHealth struct {
	Status  string `json:"status"` // ok | unavailable
	Message string `json:"message"`
}

// withSharedState adds the shared state's health when Redis is configured:
// without it, the fleet's limits and idempotency keys do not hold, so an
// unreachable Redis fails Save & test even when every upstream answers. The
// message names the server, never the URL's password.
func (d *Datasource) withSharedState(ctx context.Context, res *backend.CheckHealthResult) *backend.CheckHealthResult {
	var sh sharedHealth
	switch {
	case d.sharedErr != nil:
		sh = sharedHealth{Status: "unavailable", Message: d.sharedErr.Error()}
	case d.shared != nil:
		ok, msg := d.shared.Status(ctx)
		sh = sharedHealth{Status: "ok", Message: msg}
		if !ok {
			sh.Status = "unavailable"
			sh.Message = msg + "; until it is back rate limits hold per replica and actions with an Idempotency-Key answer 503"
		}
	default:
		return res
	}
	details := map[string]any{}
	if len(res.JSONDetails) > 0 {
		_ = json.Unmarshal(res.JSONDetails, &details)
	}
	details["sharedState"] = sh
	res.JSONDetails, _ = json.Marshal(details)
	res.Message += ". Shared state: " + sh.Message
	if sh.Status != "ok" {
		res.Status = backend.HealthStatusError
	}
	return res
}

// summarize reports every failing upstream by name (all of them: the admin
// needs the full list), or that all are reachable.
func summarize(results []upstreamHealth) *backend.CheckHealthResult {
	var failed []string
	for _, r := range results {
		if !r.OK {
			failed = append(failed, fmt.Sprintf("upstream %s: %s", r.Name, r.Message))
		}
	}
	details, _ := json.Marshal(map[string]any{"upstreams": results})
	res := &backend.CheckHealthResult{Status: backend.HealthStatusOk, JSONDetails: details,
		Message: fmt.Sprintf("All %d upstreams reachable. %s", len(results), results[0].Message)}
	if len(failed) > 0 {
		res.Status = backend.HealthStatusError
		res.Message = fmt.Sprintf("%d of %d upstreams failed: %s", len(failed), len(results), strings.Join(failed, "; "))
	}
	return res
}

func checkUpstream(ctx context.Context, client *upstream.Client, caller authz.Caller) (bool, string) {
	v := client.Upstream()
	path := v.HealthPath
	req, err := client.NewRequest(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return false, fmt.Sprintf("Health path %q is not usable: %s", path, upstream.Classify(err).Error())
	}
	req = req.WithContext(authz.WithGrant(req.Context(), authz.Grant{Caller: caller, Purpose: "health", Upstream: v.Name,
		Fixed: &authz.FixedRequest{Method: req.Method, URL: req.URL.String()}}))
	resp, err := client.Do(req)
	if err != nil {
		return false, fmt.Sprintf("Cannot reach the upstream at %s%s: %s", client.Origin(), client.ProxyNote(), upstream.Classify(err).Error())
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	// A 403 on the admin's own health path is a credentials problem too.
	case upstream.RefusedCredentials(resp.StatusCode) || resp.StatusCode == http.StatusForbidden:
		return false, fmt.Sprintf("The upstream refused Relay's credentials (HTTP %d on %s); check the auth settings", resp.StatusCode, path)
	case resp.StatusCode >= 400:
		return false, fmt.Sprintf("The upstream answered HTTP %d on %s; set %s to an endpoint that answers 2xx",
			resp.StatusCode, path, v.Path().JSON("healthPath"))
	}
	msg := fmt.Sprintf("Upstream %s reachable (HTTP %d on %s)", client.Origin(), resp.StatusCode, path)
	if note := client.LoginNote(); note != "" {
		msg += "; " + note // login auth: Save & test proves the login works
	}
	if w := client.Warnings(); len(w) > 0 {
		msg += ". Warning: " + strings.Join(w, "; ")
	}
	return true, msg
}

func healthResult(ok bool, msg string) *backend.CheckHealthResult {
	if !ok {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: msg}
}

func healthError(format string, args ...any) *backend.CheckHealthResult {
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: fmt.Sprintf(format, args...)}
}
