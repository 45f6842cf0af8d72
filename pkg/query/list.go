package query

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// fetchList is list pagination: one request per value, the value sent as
// pagination.valueParam (per pagination.in), each row with a column naming
// its value (fetchEach).
func (r *Runner) fetchList(ctx context.Context, c *call, x *expanded, j *joiner, p *Pagination) error {
	limit := p.Concurrency
	if limit == 0 || limit > maxListConcurrency {
		limit = maxListConcurrency
	}
	return r.fetchEach(ctx, c, j, x.values, orDefault(p.ValueColumn, "value"), limit,
		func(v string) (request, error) {
			req := x.req
			req.Params, req.Headers = cloneValues(req.Params), cloneHeaders(req.Headers)
			return req, setTarget(&req, p.In, p.ValueParam, v, false)
		},
		func(i int, v string) string { return fmt.Sprintf("pagination.values[%d] %q", i, v) })
}

// fetchEach makes one request per value (list pagination, forEach), run
// concurrently (at most limit at a time) and joined in the order of the
// values, each row with a column naming its value. Every request is a call
// under the query's grant, charged to the same call budget and rate class
// as the rest of the Grafana request; name(i, v) prefixes a request's error.
func (r *Runner) fetchEach(ctx context.Context, c *call, j *joiner, values []string, column string, limit int,
	build func(v string) (request, error), name func(i int, v string) string) error {
	pages := make([]*page, len(values))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, v := range values {
		g.Go(func() error {
			req, err := build(v)
			if err != nil {
				return err
			}
			pg, err := r.fetch(gctx, c, req)
			if err != nil {
				e := *asAPIError(err) // a copy: the message names the value
				e.Message = fmt.Sprintf("%s: %s", name(i, v), e.Message)
				return &e
			}
			pages[i] = pg
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, pg := range pages {
		if j.full() {
			j.stopped += fmt.Sprintf(" (%d of %d values read)", i, len(pages))
			break
		}
		if _, err := j.add(pg, column, values[i]); err != nil {
			return err
		}
	}
	return nil
}
