package httpx

import (
	"context"
	"sync"
)

type abortKey struct{}

// AbortBox receives the error of a stream that failed after its status went
// out; the CallResource handler returns it so Grafana ends the response with
// an error instead of presenting a truncated body as complete.
type AbortBox struct {
	mu  sync.Mutex
	err error
}

// WithAbortBox gives a call its box.
func WithAbortBox(ctx context.Context, b *AbortBox) context.Context {
	return context.WithValue(ctx, abortKey{}, b)
}

// Err returns the first error AbortStream recorded.
func (b *AbortBox) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// AbortStream marks the current call as failed mid-body (see AbortBox).
func AbortStream(ctx context.Context, err error) {
	if b, ok := ctx.Value(abortKey{}).(*AbortBox); ok {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
}
