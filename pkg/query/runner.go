package query

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"golang.org/x/sync/errgroup"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Runner executes queries for one data source instance.
type Runner struct {
	client   *upstream.Client
	clients  map[string]*upstream.Client // named upstreams (upstreams.go)
	audit    *authz.Audit
	settings *settings.Settings
	logger   log.Logger
	bytes    *authz.ByteBudget
	work     *authz.WorkLimit
}

// NewRunner builds the runner. Every upstream request it makes carries the
// caller's grant, which the client's gate (the policy) checks; audit records
// the writes and refusals among them.
func NewRunner(s *settings.Settings, client *upstream.Client, audit *authz.Audit, logger log.Logger) *Runner {
	t := s.Transform
	return &Runner{client: client, audit: audit, settings: s, logger: logger,
		bytes: authz.NewByteBudget(t.MaxInFlightBytes, t.MaxInFlightBytesPerUser),
		work:  authz.NewWorkLimit(t.MaxConcurrentPerUser)}
}

// QueryRateClass is the rate-limit class every upstream request of a query
// (each page) is charged to.
const QueryRateClass = settings.RateClassQuery

// Grant is what the upstream requests of one Grafana request run under: the
// caller, a cap on the calls of the whole request (queries × pages), and the
// caller's query rate limit (not for background callers: an alert rule must
// not be throttled by a user's limiter).
func (r *Runner) Grant(caller authz.Caller, background bool) authz.Grant {
	g := authz.Grant{Caller: caller, Purpose: "query", Budget: authz.NewCallBudget(r.settings.Query.MaxCallsPerRequest)}
	if !background {
		g.RateClass = QueryRateClass
	}
	return g
}

// backgroundCaller stands in for queries Grafana runs without a user (alert
// rules, recorded queries): only Editors can create those, so they are
// authorized as an Editor against the proxy rules.
var backgroundCaller = authz.Caller{Login: "grafana-background", Role: role.Editor}

// QueryData runs the request's queries concurrently (bounded by
// query.concurrency); each gets its own response or error with its source.
func (r *Runner) QueryData(ctx context.Context, req *backend.QueryDataRequest) *backend.QueryDataResponse {
	caller, background := backgroundCaller, true
	if u := req.PluginContext.User; u != nil && u.Login != "" {
		caller = authz.Caller{Login: u.Login, Name: u.Name, Role: role.FromGrafana(u.Role), OrgID: req.PluginContext.OrgID} //nolint:staticcheck
		background = false
	}
	grant := r.Grant(caller, background)
	fwd := http.Header{}
	for k, v := range req.Headers { // Grafana sends forwarded headers as "http_<Name>" or "<Name>"
		fwd.Set(strings.TrimPrefix(k, "http_"), v)
	}
	ctx = upstream.WithForwardedHeaders(ctx, fwd)
	resp := backend.NewQueryDataResponse()
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(r.settings.Query.Concurrency)
	for _, q := range req.Queries {
		g.Go(func() error {
			dr := r.runQuery(ctx, grant, req.PluginContext, q)
			mu.Lock()
			resp.Responses[q.RefID] = dr
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	return resp
}

func (r *Runner) runQuery(ctx context.Context, grant authz.Grant, pc backend.PluginContext, dq backend.DataQuery) (dr backend.DataResponse) {
	defer func() {
		if p := recover(); p != nil {
			r.logger.Error("panic in query", "refId", dq.RefID, "panic", p)
			dr = backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, "internal error")
		}
	}()
	q, err := Parse(dq.JSON)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, "query "+dq.RefID+": "+err.Error())
	}
	m := MacrosFor(dq, pc)
	res, err := r.Run(ctx, grant, q, m)
	if err != nil {
		return errorResponse(dq.RefID, err)
	}
	for _, f := range res.Frames {
		f.RefID = dq.RefID
	}
	return backend.DataResponse{Frames: res.Frames}
}

// Run fetches a query's data under grant and transforms it. The upstream
// client's gate checks the grant on every page and redirect hop; the bodies
// are charged to the caller's in-flight byte budget until the transform ends.
// Inline data makes no upstream call.
func (r *Runner) Run(ctx context.Context, grant authz.Grant, q *Query, m Macros) (*transform.Result, error) {
	r, grant, err := r.forUpstream(q.Upstream, grant)
	if err != nil {
		return nil, err
	}
	x, err := q.expand(m)
	if err != nil {
		return nil, err
	}
	c := &call{grant: grant, lease: r.bytes.Lease(grant.Caller.Key())}
	defer c.lease.Release()
	pipeline := *x.pipeline
	in := transform.Input{}
	var notices []data.Notice
	var answer *page // the one answer of an unpaged query, for its response fields
	switch p := q.Pagination; {
	case x.data != nil:
		if err := c.lease.Take(int64(len(x.data))); err != nil {
			return nil, authz.BudgetError()
		}
		in.Body = x.data
	case p != nil && p.Mode.paged():
		j, err := r.fetchPages(ctx, c, x, &pipeline, p)
		if err != nil {
			return nil, err
		}
		in.Body, pipeline.Root, pipeline.Format = j.body(), j.root(), j.format()
		notices = append(notices, j.notices()...)
	default:
		pg, err := r.fetch(ctx, c, x.req)
		if err != nil {
			return nil, err
		}
		if res := q.statusOnly(pg); res != nil {
			return res, nil
		}
		in.Body, in.ContentType, answer = pg.Body, pg.ContentType, pg
	}
	res, err := r.Transform(ctx, grant.Caller, &pipeline, in)
	if err != nil {
		return nil, err
	}
	if err := shapeOutput(q.Format, res); err != nil {
		return nil, err
	}
	q.addResponseFields(res, answer)
	for _, f := range res.Frames {
		if len(notices) > 0 {
			if f.Meta == nil {
				f.Meta = &data.FrameMeta{}
			}
			f.Meta.Notices = append(f.Meta.Notices, notices...)
		}
	}
	res.Notices = append(res.Notices, notices...)
	return res, nil
}

// Transform runs a pipeline over input within the data source's limits and
// the caller's share of concurrent transforms (more wait for a turn).
func (r *Runner) Transform(ctx context.Context, caller authz.Caller, p *transform.Pipeline, in transform.Input) (*transform.Result, error) {
	prog, err := transform.Compile(p)
	if err != nil {
		return nil, transformError(err)
	}
	lim := r.settings.Transform
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout.Duration)
	defer cancel()
	release, err := r.work.Acquire(ctx, caller.Key())
	if err != nil {
		return nil, apierr.New(http.StatusServiceUnavailable, "busy",
			"this user's transforms are all busy (jsonData.transform.maxConcurrentPerUser) and none finished in time")
	}
	defer release()
	res, err := prog.Run(ctx, in, transform.Limits{MaxInputBytes: lim.MaxInputBytes, MaxRows: lim.MaxRows})
	if err != nil {
		return nil, transformError(err)
	}
	return res, nil
}

// transformError maps the engine's errors: bad upstream data is the
// upstream's fault, a bad pipeline is the query's.
func transformError(err error) *apierr.Error {
	te := transform.AsError(err)
	e := apierr.New(te.HTTPStatus(), te.Code, "%s", te.Error())
	if te.Code == transform.CodeInvalidInput {
		e.Source = apierr.SourceDownstream
	}
	return e
}

// errorResponse: a query's own mistakes (400, the plugin's) name the query
// by its refId, the field and the reason; the code leads for the two
// template errors, which a panel otherwise could not tell apart.
func errorResponse(refID string, err error) backend.DataResponse {
	e := asAPIError(err)
	source := backend.ErrorSourcePlugin
	if e.Source == apierr.SourceDownstream {
		source = backend.ErrorSourceDownstream
	}
	status := backend.Status(e.Status)
	if e.Status == http.StatusForbidden {
		status = backend.StatusForbidden
	}
	msg := e.Message
	if e.Code == "unresolved_variable" || e.Code == "unknown_macro" {
		msg = e.Code + ": " + msg
	}
	if e.Status == http.StatusBadRequest && source == backend.ErrorSourcePlugin {
		msg = "query " + refID + ": " + msg
	}
	return backend.ErrDataResponseWithSource(status, source, msg)
}
