package query

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
)

// One Grafana request may hold any number of queries, and inline queries
// make no upstream call, so neither query.maxCallsPerRequest nor the rate
// limits of calls see them: eight inline jq queries ran a minute. So a
// request carries at most query.maxQueriesPerRequest queries, every inline
// query is charged to the caller's "query" rate class like a call, and the
// transforms of one request share query.maxTransformTimePerRequest: the
// time they take together, charged while they run (with four at once, the
// budget drains four times as fast).

// errTransformTime is the cause a transform is cancelled with when the
// request's transform time is spent.
var errTransformTime = errors.New("the request's transform time is spent")

// transformClock is the transform time one request has left.
type transformClock struct {
	mu      sync.Mutex
	left    time.Duration // budget minus the finished transforms' time
	running map[*clockRun]struct{}
	timer   *time.Timer
	max     time.Duration
}

type clockRun struct {
	start  time.Time
	cancel context.CancelCauseFunc
}

func newTransformClock(budget time.Duration) *transformClock {
	return &transformClock{left: budget, max: budget, running: map[*clockRun]struct{}{}}
}

type clockKey struct{}

func withTransformClock(ctx context.Context, c *transformClock) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

// startTransform runs a transform against the request's clock (none: ctx as
// it is); done must be called when it ends.
func startTransform(ctx context.Context) (context.Context, func(), *apierr.Error) {
	c, _ := ctx.Value(clockKey{}).(*transformClock)
	if c == nil {
		return ctx, func() {}, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	run := &clockRun{start: time.Now(), cancel: cancel}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left <= 0 {
		cancel(errTransformTime)
		return nil, nil, transformTimeError(c.max)
	}
	c.running[run] = struct{}{}
	c.schedule(run.start)
	return ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		now := time.Now()
		delete(c.running, run)
		c.left -= now.Sub(run.start)
		cancel(nil)
		c.schedule(now)
	}, nil
}

// schedule sets the timer to when the running transforms will have spent
// what is left, and cancels them all once they have. Call with mu held.
func (c *transformClock) schedule(now time.Time) {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if len(c.running) == 0 {
		return
	}
	left := c.left
	for r := range c.running {
		left -= now.Sub(r.start)
	}
	if left <= time.Millisecond {
		for r := range c.running {
			r.cancel(errTransformTime)
		}
		return
	}
	c.timer = time.AfterFunc(left/time.Duration(len(c.running)), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.schedule(time.Now())
	})
}

func transformTimeError(budget time.Duration) *apierr.Error {
	return apierr.New(http.StatusTooManyRequests, "transform_time_exceeded",
		"the queries of this request took more than %s of transform time together (jsonData.query.maxTransformTimePerRequest); send fewer or cheaper queries", budget)
}

func tooManyQueries(n, max int) *apierr.Error {
	return apierr.BadRequest("too_many_queries",
		"this request has %d queries; at most %d (jsonData.query.maxQueriesPerRequest)", n, max)
}

// budgetError maps a full byte budget: 503 when others' calls hold it, 413
// when this call alone needs more than a user's whole share.
func budgetError(err error) *apierr.Error {
	if errors.Is(err, authz.ErrBudgetTooSmall) {
		return apierr.New(http.StatusRequestEntityTooLarge, "memory_budget",
			"this call needs more memory than one user's share (jsonData.transform.maxInFlightBytesPerUser): "+
				"the input and what is built from it (an HTML page's tree is about 48 bytes per byte); use a smaller input or a table root the stream reader handles (\"\" or \"table#id tr\")")
	}
	return authz.BudgetError()
}

// isBudgetError says whether err is a full byte budget.
func isBudgetError(err error) bool {
	return errors.Is(err, authz.ErrBudget) // ErrBudgetTooSmall too
}
