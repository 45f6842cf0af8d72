package resources

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
)

// CallResourceHandler guards the path Grafana decoded before the adapter
// (adapter.go, converting the call as the SDK's httpadapter does) decodes it
// a second time, then serves the call through api.
//
// Grafana decodes the request path once into CallResourceRequest.Path; the
// adapter parses that string again as a URL, so "%253F" would reach a handler
// as "?" and "x%3Fadmin=1" as path "x" with query "admin=1". Refusing any
// path that still holds '%', '?', '#', '\\', control characters or dot
// segments makes the second decode a no-op: what the router and the proxy see
// is exactly what Grafana routed.
func CallResourceHandler(api *API) backend.CallResourceHandler {
	return &guardedHandler{next: adapter{handler: api}, api: api}
}

type guardedHandler struct {
	next backend.CallResourceHandler
	api  *API
}

func (g *guardedHandler) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if e := CheckPath(req.Path); e != nil {
		return g.refuse(ctx, req, sender, e)
	}
	box := &httpx.AbortBox{}
	if err := g.next.CallResource(httpx.WithAbortBox(ctx, box), req, sender); err != nil {
		return err
	}
	return box.Err()
}

// refuse answers a probe, audited like any refusal with Relay's own request
// id. Out of line, as its audit entry would otherwise widen the frame every
// call's deepest stack goes through (see call in middleware.go).
//
//go:noinline
func (g *guardedHandler) refuse(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender, e *apierr.Error) error {
	c := authz.CallerFromContext(ctx)
	g.api.deps.Audit.Record(authz.AuditEntry{Time: time.Now().UTC(), RequestID: httpx.NewRequestID(), Login: c.Login,
		Role: c.Role.String(), OrgID: c.OrgID, Route: "unrouted", Method: req.Method, Path: "/" + strings.TrimPrefix(req.Path, "/"),
		Status: e.Status, Outcome: "denied", Reason: e.Code})
	return SendError(sender, e)
}

// CheckPath refuses resource paths that are ambiguous after Grafana's
// decode, by the same rule as every upstream path (httpx.PathProblem): what
// the proxy would refuse as an upstream path is refused here as a probe.
func CheckPath(p string) *apierr.Error {
	if why := httpx.PathProblem(p); why != "" {
		return apierr.BadRequest("ambiguous_path", "the path %s", why)
	}
	return nil
}

// SendError answers a call with a JSON error without going through HTTP.
func SendError(sender backend.CallResourceResponseSender, e *apierr.Error) error {
	body, _ := json.Marshal(e)
	return sender.Send(&backend.CallResourceResponse{
		Status:  e.Status,
		Headers: map[string][]string{"Content-Type": {"application/json; charset=utf-8"}},
		Body:    append(body, '\n'),
	})
}

var _ http.Handler = (*API)(nil)
