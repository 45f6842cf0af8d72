package authz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"golang.org/x/sync/semaphore"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// Slots bounds concurrent calls in total and per caller, so one user's
// hanging calls cannot take every slot of a data source.
type Slots struct {
	total   chan struct{}
	perUser int
	mu      sync.Mutex
	used    map[string]int
	what    string
}

// NewSlots allows total calls at once, at most perUser of them per caller.
// what names the calls in the 503 ("proxy").
func NewSlots(total, perUser int, what string) *Slots {
	if perUser <= 0 || perUser > total {
		perUser = total
	}
	return &Slots{total: make(chan struct{}, total), perUser: perUser, used: map[string]int{}, what: what}
}

// TryAcquire takes a slot for key without waiting; the 503 says which cap
// is full and carries Retry-After.
func (s *Slots) TryAcquire(key string) (release func(), err *apierr.Error) {
	s.mu.Lock()
	if s.used[key] >= s.perUser {
		s.mu.Unlock()
		return nil, busy("%s: this user already has %d calls in flight; retry shortly", s.what, s.perUser)
	}
	s.used[key]++
	s.mu.Unlock()
	select {
	case s.total <- struct{}{}:
	default:
		s.drop(key)
		return nil, busy("too many concurrent %s calls; retry shortly", s.what)
	}
	return func() { <-s.total; s.drop(key) }, nil
}

func (s *Slots) drop(key string) {
	s.mu.Lock()
	if s.used[key]--; s.used[key] <= 0 {
		delete(s.used, key)
	}
	s.mu.Unlock()
}

func busy(format string, args ...any) *apierr.Error {
	e := apierr.New(http.StatusServiceUnavailable, "busy", format, args...)
	e.RetryAfter = 1
	return e
}

// WorkLimit bounds CPU-heavy work (transforms) per caller; callers wait for
// a turn (a dashboard sends many queries at once) until their deadline.
type WorkLimit struct{ users *userSems }

// userSems holds one weighted semaphore per caller, created on first use and
// forgotten when its last holder lets go, so idle users cost nothing.
type userSems struct {
	size  int64
	mu    sync.Mutex
	users map[string]*userSem
}

type userSem struct {
	sem  *semaphore.Weighted
	refs int
}

func newUserSems(size int64) *userSems { return &userSems{size: size, users: map[string]*userSem{}} }

// get returns key's semaphore and counts a holder; put must follow.
func (s *userSems) get(key string) *userSem {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key]
	if u == nil {
		u = &userSem{sem: semaphore.NewWeighted(s.size)}
		s.users[key] = u
	}
	u.refs++
	return u
}

func (s *userSems) put(key string, u *userSem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.refs--; u.refs == 0 {
		delete(s.users, key)
	}
}

// NewWorkLimit allows perUser concurrent units of work per caller.
func NewWorkLimit(perUser int) *WorkLimit {
	if perUser <= 0 {
		perUser = 1
	}
	return &WorkLimit{users: newUserSems(int64(perUser))}
}

// Acquire waits for a turn for key; the error is the context's.
func (w *WorkLimit) Acquire(ctx context.Context, key string) (release func(), err error) {
	u := w.users.get(key)
	if err := u.sem.Acquire(ctx, 1); err != nil {
		w.users.put(key, u)
		return nil, err
	}
	return func() { u.sem.Release(1); w.users.put(key, u) }, nil
}

// ByteBudget bounds the bytes buffered in memory at once (upstream bodies
// read whole for a transform), per data source and per caller: a weighted
// semaphore each, charged as bytes arrive, so an endless body stops at the
// budget and never reaches memory first.
type ByteBudget struct {
	total *semaphore.Weighted
	users *userSems
}

// NewByteBudget allows total bytes in flight, perUser of them per caller.
func NewByteBudget(total, perUser int64) *ByteBudget {
	if perUser <= 0 || perUser > total {
		perUser = total
	}
	return &ByteBudget{total: semaphore.NewWeighted(total), users: newUserSems(perUser)}
}

// ErrBudget is the 503 when a byte budget is full.
var ErrBudget = errors.New("in-flight byte budget exhausted")

// Lease is one call's share of the budget; Release returns all of it.
type Lease struct {
	b    *ByteBudget
	u    *userSem
	key  string
	held int64
	mu   sync.Mutex
	done bool
}

// Lease opens a share for key.
func (b *ByteBudget) Lease(key string) *Lease {
	return &Lease{b: b, u: b.users.get(key), key: key}
}

// ErrBudgetTooSmall is the error of a call that needs more than a whole
// user's share: retrying cannot help (413, not 503).
// It wraps ErrBudget.
var ErrBudgetTooSmall = fmt.Errorf("%w: the call needs more than one user's whole share", ErrBudget)

// Take charges n more bytes without waiting. Besides buffered input, the
// transform engine charges what it builds from it (an HTML page's tree,
// grid cells, decoded bodies) as it grows.
func (l *Lease) Take(n int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return ErrBudget
	}
	if l.held+n > l.b.users.size {
		return ErrBudgetTooSmall
	}
	if !l.u.sem.TryAcquire(n) {
		return ErrBudget
	}
	if !l.b.total.TryAcquire(n) {
		l.u.sem.Release(n)
		return ErrBudget
	}
	l.held += n
	return nil
}

// Release returns the lease's bytes; later Takes fail.
func (l *Lease) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return
	}
	l.done = true
	if l.held > 0 {
		l.u.sem.Release(l.held)
		l.b.total.Release(l.held)
	}
	l.b.users.put(l.key, l.u)
}

// Reader charges the lease for every byte read from r, in steps of chunk
// bytes ahead of the data, and fails with ErrBudget when the budget is full.
func (l *Lease) Reader(r io.Reader) io.Reader { return &leaseReader{r: r, l: l} }

const leaseChunk = 256 << 10

type leaseReader struct {
	r      io.Reader
	l      *Lease
	credit int64
}

func (lr *leaseReader) Read(p []byte) (int, error) {
	if lr.credit <= 0 {
		if err := lr.l.Take(leaseChunk); err != nil {
			return 0, err
		}
		lr.credit += leaseChunk
	}
	if int64(len(p)) > lr.credit {
		p = p[:lr.credit]
	}
	n, err := lr.r.Read(p)
	lr.credit -= int64(n)
	return n, err
}

// BudgetError is the 503 for ErrBudget.
func BudgetError() *apierr.Error {
	return busy("Relay is buffering too much data for this data source or user right now (jsonData.transform.maxInFlightBytes); retry shortly")
}
