package query

import (
	"context"
	"fmt"

	"github.com/relay-gateway/relay/pkg/apierr"
	"golang.org/x/sync/errgroup"
)

// fetchList is list pagination: one request per value, the value sent as
// pagination.valueParam (per pagination.in), each page labelled with its
// value (fetchEach).
func (r *Runner) fetchList(ctx context.Context, c *call, x *expanded, pg *paging, p *Pagination) error {
	limit := p.Concurrency
	if limit == 0 || limit > maxListConcurrency {
		limit = maxListConcurrency
	}
	return r.fetchEach(ctx, c, pg, x.values, limit,
		func(v string) (request, error) {
			req := x.req
			req.Params, req.Headers = cloneValues(req.Params), cloneHeaders(req.Headers)
			return req, setTarget(&req, p.In, p.ValueParam, v, false)
		},
		func(i int, v string) string { return fmt.Sprintf("pagination.values[%d] %q", i, v) })
}

// fetchEach makes one request per value (list pagination, forEach), run
// concurrently (at most limit at a time) and handed to the engine in the
// order of the values, each page labelled with its value (the label column
// of the pages). Every request is a call under the query's grant, charged
// to the same call budget and rate class as the rest of the Grafana
// request; name(i, v) prefixes a request's error.
func (r *Runner) fetchEach(ctx context.Context, c *call, pg *paging, values []string, limit int,
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
			answer, err := r.fetchPage(gctx, c, req, i+1)
			if err != nil {
				e := *apierr.From(err) // a copy: the message names the value
				e.Message = fmt.Sprintf("%s: %s", name(i, v), e.Message)
				return &e
			}
			pages[i] = answer
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
		if _, err := pg.add(ctx, answer, values[i]); err != nil {
			return err
		}
	}
	pg.full() // the last page may have been cut at transform.maxRows
	return nil
}
