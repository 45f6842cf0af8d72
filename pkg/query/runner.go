package query

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.opentelemetry.io/otel/attribute"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Runner executes queries for one data source instance.
type Runner struct {
	client    *upstream.Client
	upstreams *upstream.Set // every upstream (upstreams.go); client is the default or the query's
	audit     *authz.Audit
	settings  *settings.Settings
	logger    log.Logger
	bytes     *authz.ByteBudget
	work      *authz.WorkLimit
	// rate charges work that makes no upstream call (inline queries) to
	// the caller's rate class; nil charges nothing.
	rate   func(authz.Caller, string) *apierr.Error
	qcache *queryCache // cache.go
}

// SetRateCharge sets how inline queries are charged to the caller's
// "query" rate class (the policy's ChargeRate).
func (r *Runner) SetRateCharge(charge func(authz.Caller, string) *apierr.Error) { r.rate = charge }

// NewRunner builds the runner. Every upstream request it makes carries the
// caller's grant, which the client's gate (the policy) checks; audit records
// the writes and refusals among them. upstreams is every upstream of the
// data source; a query's "upstream" field picks one (upstreams.go).
func NewRunner(s *settings.Settings, upstreams *upstream.Set, audit *authz.Audit, logger log.Logger) *Runner {
	t := s.Transform
	return &Runner{client: upstreams.Default(), upstreams: upstreams, audit: audit, settings: s, logger: logger,
		bytes: authz.NewByteBudget(t.MaxInFlightBytes, t.MaxInFlightBytesPerUser),
		work:  authz.NewWorkLimit(t.MaxConcurrentPerUser), qcache: newQueryCache(s)}
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

// QueryData runs the request's queries concurrently (bounded by
// query.concurrency); each gets its own response or error with its source.
// The caller is who Grafana presents (authz.QueryCaller): an anonymous user
// keeps its role and its org's shared rate limit; only an evaluation Grafana
// marks as an alert is background.
func (r *Runner) QueryData(ctx context.Context, req *backend.QueryDataRequest) *backend.QueryDataResponse {
	caller, background := authz.QueryCaller(req.PluginContext, req.Headers)
	grant := r.Grant(caller, background)
	fwd := http.Header{}
	for k, v := range req.Headers { // Grafana sends forwarded headers as "http_<Name>" or "<Name>"
		fwd.Set(strings.TrimPrefix(k, "http_"), v)
	}
	ctx = upstream.WithForwardedHeaders(ctx, fwd)
	// One id for the request's queries: their spans, log lines and audit entries.
	ctx = httpx.WithRequestID(ctx, httpx.NewRequestID())
	resp := backend.NewQueryDataResponse()
	if n, max := len(req.Queries), r.settings.Query.MaxQueriesPerRequest; max > 0 && n > max {
		for _, q := range req.Queries {
			resp.Responses[q.RefID] = errorResponse(q.RefID, tooManyQueries(n, max))
		}
		return resp
	}
	ctx = withTransformClock(ctx, newTransformClock(r.settings.Query.MaxTransformTimePerRequest.Duration))
	// Queries that read others (join, append, forEach) run after them (deps.go).
	resp.Responses = runRequest(ctx, req.Queries, r.settings.Query.Concurrency,
		func(ctx context.Context, dq backend.DataQuery, q *Query) backend.DataResponse {
			return r.runQuery(ctx, grant, req.PluginContext, dq, q)
		})
	return resp
}

func (r *Runner) runQuery(ctx context.Context, grant authz.Grant, pc backend.PluginContext, dq backend.DataQuery, q *Query) (dr backend.DataResponse) {
	defer func() {
		if p := recover(); p != nil {
			r.logger.FromContext(ctx).Error("panic in query", "refId", dq.RefID, "panic", p)
			dr = backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, "internal error")
		}
	}()
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
func (r *Runner) Run(ctx context.Context, grant authz.Grant, q *Query, m Macros) (res *transform.Result, err error) {
	ctx, span := startSpan(ctx, "relay.query", attribute.String("relay.upstream", settings.ShownUpstream(settings.CanonicalUpstream(q.Upstream))),
		attribute.String("http.request.method", q.Method))
	defer func() {
		if res != nil {
			span.SetAttributes(attribute.Int("relay.frames", len(res.Frames)))
		}
		endSpan(span, err)
	}()
	return r.runQueryIn(ctx, grant, q, m)
}

// runQueryIn is Run inside the query's span.
func (r *Runner) runQueryIn(ctx context.Context, grant authz.Grant, q *Query, m Macros) (*transform.Result, error) {
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
	// Compiled before any call: the engine reads each page as it arrives.
	if x.prog, err = transform.Compile(x.pipeline); err != nil {
		return nil, transformError(err)
	}
	in := transform.Input{Queries: q.inputs} // the frames join and append steps read (deps.go)
	var notices []data.Notice
	var answer *page // the one answer of an unpaged query, for its response fields
	switch {
	case x.data != nil:
		// Inline data makes no call, so no gate charges its rate class.
		if r.rate != nil && grant.RateClass != "" {
			if err := r.rate(grant.Caller, grant.RateClass); err != nil {
				return nil, err
			}
		}
		if err := c.lease.Take(int64(len(x.data))); err != nil {
			return nil, budgetError(err)
		}
		in.Body = x.data
	case q.ForEach != nil: // one call per value of another query's field (foreach.go)
		pages, fnotices, err := r.forEachPages(ctx, c, q, x)
		if err != nil {
			return nil, err
		}
		in.Pages = pages
		notices = append(notices, fnotices...)
	default:
		// The upstream bytes: from the query cache or fetched (cache.go).
		src, err := r.source(ctx, c, q, x, x.pipeline)
		if err != nil {
			return nil, err
		}
		if src.answer != nil {
			if res := q.statusOnly(src.answer); res != nil {
				return res, nil
			}
			answer = src.answer
		}
		in.Body, in.ContentType, in.ContentEncoding = src.body, src.contentType, src.contentEncoding
		if src.pages != nil {
			if in.Pages = src.read; in.Pages == nil { // from the cache: read them now
				if in.Pages, err = r.readPages(ctx, c, x, q.Pagination, src.pages); err != nil {
					return nil, err
				}
			}
		}
		notices = append(notices, src.notices...)
	}
	res, err := r.run(ctx, grant.Caller, c.lease, x.prog, in)
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

// Transform runs a pipeline over input within the data source's limits,
// the caller's share of concurrent transforms (more wait for a turn) and
// the caller's memory lease, which what the engine builds is charged to.
func (r *Runner) Transform(ctx context.Context, caller authz.Caller, lease *authz.Lease, p *transform.Pipeline, in transform.Input) (*transform.Result, error) {
	prog, err := transform.Compile(p)
	if err != nil {
		return nil, transformError(err)
	}
	return r.run(ctx, caller, lease, prog, in)
}

// run is Transform of a compiled pipeline.
func (r *Runner) run(ctx context.Context, caller authz.Caller, lease *authz.Lease, prog *transform.Program, in transform.Input) (*transform.Result, error) {
	var res *transform.Result
	err := r.withinLimits(ctx, caller, func(ctx context.Context) error {
		ctx, span := startSpan(ctx, "relay.transform", attribute.Int("relay.input.bytes", len(in.Body)))
		var err error
		res, err = prog.Run(ctx, in, r.limits(lease))
		if res != nil {
			span.SetAttributes(attribute.Int("relay.frames", len(res.Frames)))
		}
		endSpan(span, err)
		return err
	})
	return res, err
}

// readPages hands cached pages to the engine as fetched pages were: the
// same limits give the same rows (the stop notices are in the entry).
func (r *Runner) readPages(ctx context.Context, c *call, x *expanded, p *Pagination, pages []transform.Page) (*transform.Pages, error) {
	pg := r.newPaging(c, x, p)
	for i, page := range pages {
		err := pg.within(ctx, func(ctx context.Context) error {
			_, err := pg.read.Add(ctx, page)
			return err
		})
		if err != nil {
			return nil, pageError(err, i+1)
		}
	}
	return pg.read, nil
}

// limits are the engine's limits for a call of this data source.
func (r *Runner) limits(lease *authz.Lease) transform.Limits {
	lim := r.settings.Transform
	return transform.Limits{MaxInputBytes: lim.MaxInputBytes, MaxRows: lim.MaxRows, Memory: lease}
}

// withinLimits runs engine work (a transform, /schema's inference) as every
// transform runs: under transform.timeout and the request's transform time,
// in one of the caller's work slots. Errors are *apierr.Error.
func (r *Runner) withinLimits(ctx context.Context, caller authz.Caller, work func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.settings.Transform.Timeout.Duration)
	defer cancel()
	release, err := r.work.Acquire(ctx, caller.Key())
	if err != nil {
		return apierr.New(http.StatusServiceUnavailable, "busy",
			"this user's transforms are all busy (jsonData.transform.maxConcurrentPerUser) and none finished in time")
	}
	defer release()
	ctx, done, aerr := startTransform(ctx)
	if aerr != nil {
		return aerr
	}
	defer done()
	if err := work(ctx); err != nil {
		if errors.Is(context.Cause(ctx), errTransformTime) {
			return transformTimeError(r.settings.Query.MaxTransformTimePerRequest.Duration)
		}
		return transformError(err)
	}
	return nil
}

// transformError maps the engine's errors: bad upstream data is the
// upstream's fault, a bad pipeline is the query's.
func transformError(err error) *apierr.Error {
	if isBudgetError(err) {
		return budgetError(err)
	}
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
	e := apierr.From(err)
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
