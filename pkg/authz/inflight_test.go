package authz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestByteBudgetPerUserAndTotal(t *testing.T) {
	b := NewByteBudget(3*leaseChunk, 2*leaseChunk)
	a1, a2 := b.Lease("alice"), b.Lease("alice")
	if err := a1.Take(leaseChunk); err != nil {
		t.Fatal(err)
	}
	if err := a2.Take(leaseChunk); err != nil {
		t.Fatal(err)
	}
	if err := a2.Take(1); !errors.Is(err, ErrBudget) {
		t.Fatalf("alice over her share: %v", err)
	}
	bob := b.Lease("bob")
	if err := bob.Take(leaseChunk); err != nil {
		t.Fatalf("bob within the total: %v", err)
	}
	if err := bob.Take(1); !errors.Is(err, ErrBudget) {
		t.Fatalf("bob over the total: %v", err)
	}
	a1.Release()
	a1.Release() // idempotent
	if err := bob.Take(leaseChunk); err != nil {
		t.Fatalf("after alice released: %v", err)
	}
	a2.Release()
	bob.Release()
	if n := len(b.users.users); n != 0 {
		t.Fatalf("%d idle users still held", n)
	}
}

func TestLeaseReaderStopsAnEndlessBody(t *testing.T) {
	l := NewByteBudget(leaseChunk, leaseChunk).Lease("u")
	defer l.Release()
	n, err := io.Copy(io.Discard, l.Reader(io.LimitReader(bytes.NewReader(make([]byte, 4*leaseChunk)), 4*leaseChunk)))
	if !errors.Is(err, ErrBudget) || n != leaseChunk {
		t.Fatalf("read %d bytes, err %v; want exactly the budget then ErrBudget", n, err)
	}
}

func TestWorkLimitWaitsPerUser(t *testing.T) {
	w := NewWorkLimit(1)
	release, err := w.Acquire(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := w.Acquire(ctx, "alice"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second turn of alice: %v", err)
	}
	other, err := w.Acquire(context.Background(), "bob")
	if err != nil {
		t.Fatalf("bob is not blocked by alice: %v", err)
	}
	other()
	release()
	if n := len(w.users.users); n != 0 {
		t.Fatalf("%d idle users still held", n)
	}
}

func TestSlotsPerUser(t *testing.T) {
	s := NewSlots(3, 2, "proxy")
	r1, _ := s.TryAcquire("alice")
	r2, _ := s.TryAcquire("alice")
	if _, err := s.TryAcquire("alice"); err == nil || !strings.Contains(err.Message, "already has 2 calls") || err.RetryAfter == 0 {
		t.Fatalf("alice's third: %v", err)
	}
	r3, err := s.TryAcquire("bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryAcquire("carol"); err == nil || !strings.Contains(err.Message, "too many concurrent proxy calls") {
		t.Fatalf("over the total: %v", err)
	}
	r1()
	r2()
	r3()
	if len(s.used) != 0 {
		t.Fatalf("slots still counted: %v", s.used)
	}
}

func TestLeaseRefusesMoreThanAUsersShare(t *testing.T) {
	b := NewByteBudget(10<<20, 4<<20)
	l := b.Lease("u")
	defer l.Release()
	if err := l.Take(3 << 20); err != nil {
		t.Fatal(err)
	}
	// Growing past the whole share can never succeed: a distinct error (413, not 503).
	if err := l.Take(2 << 20); !errors.Is(err, ErrBudgetTooSmall) || !errors.Is(err, ErrBudget) {
		t.Fatalf("past the share: %v", err)
	}
	// Another user's call that fits but finds the budget held is only busy.
	other := b.Lease("v")
	defer other.Release()
	if err := other.Take(4 << 20); err != nil {
		t.Fatal(err)
	}
	third := b.Lease("w")
	defer third.Release()
	if err := third.Take(4 << 20); !errors.Is(err, ErrBudget) || errors.Is(err, ErrBudgetTooSmall) {
		t.Fatalf("busy budget: %v", err)
	}
}
