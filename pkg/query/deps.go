package query

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/transform"
)

// Dependencies are the refIds of the other queries of the request this one
// reads: its join and append steps' and its forEach's, without repeats.
func (q *Query) Dependencies() []string {
	deps := transform.QueryDependencies(q.Pipeline)
	if f := q.ForEach; f != nil && f.Query != "" && !slices.Contains(deps, f.Query) {
		deps = append(deps, f.Query)
	}
	return deps
}

// requestQuery is one query of a request on its way through runRequest.
type requestQuery struct {
	refID  string
	dq     backend.DataQuery
	hidden bool
	q      *Query // nil when it did not parse
	err    error  // its parse error
	deps   []string
	done   chan struct{}
	resp   backend.DataResponse
	frame  *data.Frame // its first frame, for the queries that read it
}

// checkDependencies refuses a request whose queries read a refId that is
// not in it, or read each other in a cycle: a 400 naming them, before any
// call is made. A query may not read itself.
func checkDependencies(qs []*requestQuery) *apierr.Error {
	byRef := make(map[string]*requestQuery, len(qs))
	for _, rq := range qs {
		byRef[rq.refID] = rq
	}
	for _, rq := range qs {
		for _, d := range rq.deps {
			if _, ok := byRef[d]; !ok {
				return apierr.BadRequest("unknown_query", "query %s reads query %q, which is not in this request (its queries: %s)",
					rq.refID, d, strings.Join(refIDs(qs), ", "))
			}
		}
	}
	// Depth-first, in request order: a query met again while on the path closes a cycle.
	const (
		unvisited = iota
		onPath
		finished
	)
	state := make(map[string]int, len(qs))
	var path []string
	var visit func(ref string) *apierr.Error
	visit = func(ref string) *apierr.Error {
		switch state[ref] {
		case onPath:
			cycle := append(path[slices.Index(path, ref):], ref)
			return apierr.BadRequest("query_cycle", "queries read each other in a cycle: %s", strings.Join(cycle, " → "))
		case finished:
			return nil
		}
		state[ref] = onPath
		path = append(path, ref)
		for _, d := range byRef[ref].deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[ref] = finished
		return nil
	}
	for _, rq := range qs {
		if err := visit(rq.refID); err != nil {
			return err
		}
	}
	return nil
}

func refIDs(qs []*requestQuery) []string {
	out := make([]string, len(qs))
	for i, rq := range qs {
		out[i] = rq.refID
	}
	return out
}

// runRequest runs a request's queries: each as soon as the queries it reads
// have run (their first frames become its inputs), at most concurrency at a
// time. A query waits for its inputs before it takes a turn, so waiting
// never holds a turn. A query whose input failed fails with that error,
// naming the input. run is the query's own execution (Runner.runQuery).
func runRequest(ctx context.Context, queries []backend.DataQuery, concurrency int,
	run func(ctx context.Context, dq backend.DataQuery, q *Query) backend.DataResponse) map[string]backend.DataResponse {
	all := make([]*requestQuery, len(queries))
	byRef := make(map[string]*requestQuery, len(queries))
	for i, dq := range queries {
		rq := &requestQuery{refID: dq.RefID, dq: dq, hidden: isHidden(dq), done: make(chan struct{})}
		if rq.q, rq.err = Parse(dq.JSON); rq.err == nil {
			rq.deps = rq.q.Dependencies()
		}
		all[i], byRef[dq.RefID] = rq, rq
	}
	qs := needed(all, byRef)
	out := make(map[string]backend.DataResponse, len(qs))
	if err := checkDependencies(qs); err != nil {
		for _, rq := range qs {
			out[rq.refID] = errorResponse(rq.refID, err)
		}
		return out
	}
	turns := make(chan struct{}, max(concurrency, 1))
	for _, rq := range qs {
		go func() {
			defer close(rq.done)
			inputs := map[string]*data.Frame{}
			for _, d := range rq.deps {
				dep := byRef[d]
				select {
				case <-dep.done:
				case <-ctx.Done():
					rq.resp = errorResponse(rq.refID, apierr.New(http.StatusGatewayTimeout, "timeout", "the request ended before query %s ran", d))
					return
				}
				if dep.resp.Error != nil {
					rq.resp = dependencyFailed(rq.refID, d, dep.resp)
					return
				}
				inputs[d] = dep.frame
			}
			if rq.err != nil {
				rq.resp = backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, "query "+rq.refID+": "+rq.err.Error())
				return
			}
			turns <- struct{}{}
			defer func() { <-turns }()
			rq.q.inputs = inputs
			rq.resp = run(ctx, rq.dq, rq.q)
			if len(rq.resp.Frames) > 0 {
				rq.frame = rq.resp.Frames[0]
			} else if rq.resp.Error == nil {
				rq.frame = data.NewFrame(rq.refID)
			}
		}()
	}
	for _, rq := range qs {
		<-rq.done
		if !rq.hidden {
			out[rq.refID] = rq.resp
		}
	}
	return out
}

// isHidden says whether the panel hides the query ("hide": true). The
// frontend sends hidden queries (src/datasource.ts filterQuery) because a
// visible one may read them.
func isHidden(dq backend.DataQuery) bool {
	var h struct {
		Hide bool `json:"hide"`
	}
	_ = json.Unmarshal(dq.JSON, &h)
	return h.Hide
}

// needed are the queries to run, in request order: the visible ones and
// those they read, directly or not. A hidden query no visible one reads
// neither runs nor answers; one that is read runs, and its answer is left
// out.
func needed(all []*requestQuery, byRef map[string]*requestQuery) []*requestQuery {
	keep := map[string]bool{}
	var mark func(rq *requestQuery)
	mark = func(rq *requestQuery) {
		if keep[rq.refID] {
			return
		}
		keep[rq.refID] = true
		for _, d := range rq.deps {
			if dep, ok := byRef[d]; ok {
				mark(dep)
			}
		}
	}
	for _, rq := range all {
		if !rq.hidden {
			mark(rq)
		}
	}
	var out []*requestQuery
	for _, rq := range all {
		if keep[rq.refID] {
			out = append(out, rq)
		}
	}
	return out
}

// dependencyFailed is the answer of a query whose input failed: the
// input's status and source, the message naming it.
func dependencyFailed(refID, input string, dep backend.DataResponse) backend.DataResponse {
	return backend.DataResponse{
		Error:       fmt.Errorf("query %s reads query %s, which failed: %s", refID, input, dep.Error),
		Status:      dep.Status,
		ErrorSource: dep.ErrorSource,
	}
}
