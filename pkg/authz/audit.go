package authz

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// AuditEntry records one mutating or denied call. It never holds bodies,
// headers or key material: only who did what and how it ended.
type AuditEntry struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	// ClientRequestID is the caller's own X-Request-Id, for correlation only.
	ClientRequestID string `json:"clientRequestId,omitempty"`
	Login           string `json:"login"`
	Role            string `json:"role"`
	OrgID           int64  `json:"orgId"`
	Route           string `json:"route"`
	// Upstream names the upstream a query's request went to ("default" for
	// the data source's own URL); proxy entries name it in their path.
	Upstream   string  `json:"upstream,omitempty"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Status     int     `json:"status"`
	DurationMS float64 `json:"durationMs"`
	APIKey     string  `json:"apiKey,omitempty"`
	Outcome    string  `json:"outcome"` // allowed | denied | error
	Reason     string  `json:"reason,omitempty"`
}

// AuditStream is the fleet's shared audit log (pkg/shared: a capped Redis
// stream). Entries travel as their JSON. Each method returns within its own
// short timeout; an error means the stream is unavailable.
type AuditStream interface {
	// Append adds entries, oldest first.
	Append(ctx context.Context, entries [][]byte) error
	// Recent returns at most limit entries (0 = all kept), newest first.
	Recent(ctx context.Context, limit int) ([][]byte, error)
}

// Audit scopes: what GET /audit lists.
const (
	AuditScopeReplica = "replica" // this process's ring
	AuditScopeFleet   = "fleet"   // the shared stream: every replica's entries
)

// auditRetry is how often entries waiting for the shared stream are retried
// while it is unavailable.
const auditRetry = time.Second

// Audit is a bounded in-memory ring plus a structured log line per entry.
// Shared (Share), every entry is also queued for the fleet's stream; the log
// line and the ring never wait for it, and entries the stream could not take
// stay queued (up to the ring's size) until it is back.
type Audit struct {
	mu     sync.Mutex
	ring   []AuditEntry
	next   int
	full   bool
	logger log.Logger

	stream  AuditStream
	pending []pendingEntry // not yet in the stream, oldest first
	seq     uint64
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	flushMu sync.Mutex // one flush at a time, so entries keep their order
}

type pendingEntry struct {
	seq  uint64
	data []byte
}

func NewAudit(size int, logger log.Logger) *Audit {
	if size < 1 {
		size = 1
	}
	return &Audit{ring: make([]AuditEntry, size), logger: logger}
}

// Share sends every entry to stream as well, from a background flusher that
// Close stops. Called once, before the first Record.
func (a *Audit) Share(stream AuditStream) {
	a.stream = stream
	a.wake = make(chan struct{}, 1)
	a.stop = make(chan struct{})
	a.done = make(chan struct{})
	go a.flusher()
}

// Close stops the flusher after a last attempt to flush.
func (a *Audit) Close() {
	if a.stream == nil {
		return
	}
	select {
	case <-a.stop:
		return
	default:
	}
	close(a.stop)
	<-a.done
	a.flush()
}

// Record stores e and logs it.
func (a *Audit) Record(e AuditEntry) {
	var encoded []byte
	if a.stream != nil {
		encoded, _ = json.Marshal(e) // plain fields: cannot fail
	}
	a.mu.Lock()
	a.ring[a.next] = e
	a.next = (a.next + 1) % len(a.ring)
	if a.next == 0 {
		a.full = true
	}
	if encoded != nil {
		a.seq++
		a.pending = append(a.pending, pendingEntry{seq: a.seq, data: encoded})
		if over := len(a.pending) - len(a.ring); over > 0 {
			// The stream keeps ringSize entries: older ones would be trimmed
			// on arrival. They are still in the log.
			a.pending = append(a.pending[:0], a.pending[over:]...)
		}
	}
	a.mu.Unlock()
	if encoded != nil {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
	if a.logger != nil {
		a.logger.Info("audit", "route", e.Route, "upstream", e.Upstream, "method", e.Method, "path", e.Path, "login", e.Login, "role", e.Role,
			"orgId", e.OrgID, "status", e.Status, "durationMs", e.DurationMS, "apiKey", e.APIKey, "outcome", e.Outcome,
			"reason", e.Reason, "requestId", e.RequestID)
	}
}

func (a *Audit) flusher() {
	defer close(a.done)
	tick := time.NewTicker(auditRetry)
	defer tick.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-a.wake:
		case <-tick.C:
		}
		a.flush()
	}
}

// flush sends the queued entries; it reports whether the queue is empty.
func (a *Audit) flush() bool {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	a.mu.Lock()
	batch := make([][]byte, len(a.pending))
	for i, p := range a.pending {
		batch[i] = p.data
	}
	var last uint64
	if len(a.pending) > 0 {
		last = a.pending[len(a.pending)-1].seq
	}
	a.mu.Unlock()
	if len(batch) == 0 {
		return true
	}
	if err := a.stream.Append(context.Background(), batch); err != nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// Record may have queued (or dropped the oldest) meanwhile.
	i := 0
	for i < len(a.pending) && a.pending[i].seq <= last {
		i++
	}
	a.pending = append(a.pending[:0], a.pending[i:]...)
	return len(a.pending) == 0
}

// Entries returns the newest entries first, at most limit (0 = all).
func (a *Audit) Entries(limit int) []AuditEntry {
	entries, _ := a.List(limit)
	return entries
}

// List returns the newest entries first, at most limit (0 = all), and their
// scope: the fleet's when the shared stream answers (after flushing this
// replica's queue), otherwise this replica's ring.
func (a *Audit) List(limit int) ([]AuditEntry, string) {
	if a.stream != nil && a.flush() {
		if raw, err := a.stream.Recent(context.Background(), limit); err == nil {
			return decodeEntries(raw), AuditScopeFleet
		}
	}
	return a.local(limit), AuditScopeReplica
}

// decodeEntries orders the stream's entries by time, newest first: entries
// flushed after an outage arrive after newer ones from other replicas.
func decodeEntries(raw [][]byte) []AuditEntry {
	out := make([]AuditEntry, 0, len(raw))
	for _, b := range raw {
		var e AuditEntry
		if json.Unmarshal(b, &e) == nil {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

func (a *Audit) local(limit int) []AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := a.next
	if a.full {
		n = len(a.ring)
	}
	if limit <= 0 || limit > n {
		limit = n
	}
	out := make([]AuditEntry, 0, limit)
	for i := 0; i < limit; i++ {
		idx := (a.next - 1 - i + len(a.ring)) % len(a.ring)
		out = append(out, a.ring[idx])
	}
	return out
}
