package query

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
)

// Documents are what the OpenAPI import (pkg/openapiimport) needs from the
// runner: an upstream's document read as any query reads, and a share of
// the caller's in-flight byte budget for the work on it.
//
// FetchDocument reads path from the named upstream ("" or "_default": the
// data source's own) as the request's caller: through that upstream's
// client and gate (the proxy rules, the call budget, the rate class of
// queries), at most maxBytes, the body charged to the caller's byte budget
// until release.
func (r *Runner) FetchDocument(ctx context.Context, upstreamName, path string, maxBytes int64) ([]byte, func(), error) {
	if !strings.HasPrefix(path, "/") {
		return nil, nil, apierr.BadRequest("bad_request", "path must start with / (relative to the upstream's URL), e.g. /openapi.json")
	}
	if p := httpx.PathProblem(strings.TrimPrefix(path, "/")); p != "" {
		return nil, nil, apierr.BadRequest("bad_request", "path: %s", p)
	}
	caller := authz.AuthorizedCaller(ctx)
	rr, g, err := r.forUpstream(upstreamName, r.Grant(caller, false))
	if err != nil {
		return nil, nil, err
	}
	c := &call{grant: g, lease: r.bytes.Lease(caller.Key())}
	pg, err := rr.fetch(ctx, c, request{Method: http.MethodGet, Path: path, MaxBytes: maxBytes,
		Headers: map[string]string{"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5"}})
	if err != nil {
		c.lease.Release()
		return nil, nil, err
	}
	return pg.Body, c.lease.Release, nil
}

// ChargeBytes takes n bytes of the request caller's in-flight byte budget
// until release: a 413 when n is more than one user's whole share, a 503
// while the budget is full.
func (r *Runner) ChargeBytes(ctx context.Context, n int64) (func(), error) {
	lease := r.bytes.Lease(authz.AuthorizedCaller(ctx).Key())
	if err := lease.Take(n); err != nil {
		lease.Release()
		if errors.Is(err, authz.ErrBudgetTooSmall) {
			return nil, apierr.New(http.StatusRequestEntityTooLarge, "memory_budget",
				"this call needs %d bytes, more than one user's share (jsonData.transform.maxInFlightBytesPerUser)", n)
		}
		return nil, authz.BudgetError()
	}
	return lease.Release, nil
}
