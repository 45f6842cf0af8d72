package query

import (
	"context"
	"time"
)

// maxRefreshes bounds the background refreshes (staleWhileRevalidate) of a
// data source at once; when all are busy an expired entry is not served
// stale: the query fetches.
const maxRefreshes = 4

// refreshLater starts the one background refresh of an expired entry
// (staleWhileRevalidate) under the caller's grant: the same gate, rules and
// limits as its own call. false when a refresh of key runs already (the
// caller then waits for it: an expired entry is served once) or every
// refresh slot is busy.
func (r *Runner) refreshLater(ctx context.Context, c *call, key string, fill func(context.Context, *call) any) bool {
	qc := r.qcache
	if _, busy := qc.refreshing.LoadOrStore(key, struct{}{}); busy {
		return false
	}
	select {
	case qc.refreshSlots <- struct{}{}:
	default:
		qc.refreshing.Delete(key)
		return false
	}
	timeout := r.settings.Timeouts.Request.Duration
	if timeout <= 0 {
		timeout = time.Minute
	}
	// The request's values (forwarded OAuth identity, request id) stay; its cancellation does not.
	bctx, cancel := context.WithTimeout(withoutCacheInfo(context.WithoutCancel(ctx)), timeout)
	bc := &call{grant: c.grant, lease: r.bytes.Lease(c.grant.Caller.Key())}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r.logger.FromContext(bctx).Error("panic in a query cache refresh", "panic", p)
			}
			bc.lease.Release()
			cancel()
			<-qc.refreshSlots
			qc.refreshing.Delete(key)
		}()
		qc.store.Collapse(key, func() any { return fill(bctx, bc) })
	}()
	return true
}
