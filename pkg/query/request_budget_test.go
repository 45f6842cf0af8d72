package query

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The transforms of one request share its transform time: running ones
// drain it together and are cancelled when it is spent; later ones are refused.
func TestTransformClock(t *testing.T) {
	ctx := withTransformClock(context.Background(), newTransformClock(200*time.Millisecond))
	// Two at once: the budget is spent after about 100 ms of each.
	var ctxs []context.Context
	var dones []func()
	start := time.Now()
	for range 2 {
		c, done, err := startTransform(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctxs, dones = append(ctxs, c), append(dones, done)
	}
	for _, c := range ctxs {
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("not cancelled when the request's transform time was spent")
		}
		if !errors.Is(context.Cause(c), errTransformTime) {
			t.Fatalf("cause %v", context.Cause(c))
		}
	}
	if el := time.Since(start); el < 90*time.Millisecond {
		t.Fatalf("cancelled after %v, before the budget was spent", el)
	}
	for _, d := range dones {
		d()
	}
	if _, _, err := startTransform(ctx); err == nil || err.Code != "transform_time_exceeded" || err.Status != 429 {
		t.Fatalf("after the budget: %v", err)
	}
	// Without a clock (a /transform call), nothing changes.
	c, done, err := startTransform(context.Background())
	if err != nil || c.Err() != nil {
		t.Fatal(err)
	}
	done()
}
