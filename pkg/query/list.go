package query

import (
	"context"
	"fmt"

	"github.com/relay-gateway/relay/pkg/apierr"
	"golang.org/x/sync/errgroup"
)

// fetchList is list pagination: one request per value, run concurrently
// (at most pagination.concurrency, default and cap maxListConcurrency, at a
// time) and joined in the order of the values, each row with a column naming
// its value. Every request is a call under the query's grant and charged to
// the same call budget as the rest of the Grafana request.
func (r *Runner) fetchList(ctx context.Context, c *call, x *expanded, pg *paging, p *Pagination) error {
	limit := p.Concurrency
	if limit == 0 || limit > maxListConcurrency {
		limit = maxListConcurrency
	}
	pages := make([]*page, len(x.values))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, v := range x.values {
		g.Go(func() error {
			req := x.req
			req.Params, req.Headers = cloneValues(req.Params), cloneHeaders(req.Headers)
			if err := setTarget(&req, p.In, p.ValueParam, v, false); err != nil {
				return err
			}
			pg, err := r.fetch(gctx, c, req)
			if err != nil {
				e := *apierr.From(err) // a copy: the message names the value
				e.Message = fmt.Sprintf("pagination.values[%d] %q: %s", i, v, e.Message)
				return &e
			}
			pages[i] = pg
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, answer := range pages {
		if pg.full() {
			pg.stopped += fmt.Sprintf(" (%d of %d values read)", i, len(pages))
			break
		}
		if _, err := pg.add(ctx, answer, x.values[i]); err != nil {
			return err
		}
	}
	pg.full() // the last page may have been cut at transform.maxRows
	return nil
}
