package authz

import (
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

// Audit is a bounded in-memory ring plus a structured log line per entry.
type Audit struct {
	mu     sync.Mutex
	ring   []AuditEntry
	next   int
	full   bool
	logger log.Logger
}

func NewAudit(size int, logger log.Logger) *Audit {
	if size < 1 {
		size = 1
	}
	return &Audit{ring: make([]AuditEntry, size), logger: logger}
}

// Record stores e and logs it.
func (a *Audit) Record(e AuditEntry) {
	a.mu.Lock()
	a.ring[a.next] = e
	a.next = (a.next + 1) % len(a.ring)
	if a.next == 0 {
		a.full = true
	}
	a.mu.Unlock()
	if a.logger != nil {
		a.logger.Info("audit", "route", e.Route, "upstream", e.Upstream, "method", e.Method, "path", e.Path, "login", e.Login, "role", e.Role,
			"orgId", e.OrgID, "status", e.Status, "durationMs", e.DurationMS, "apiKey", e.APIKey, "outcome", e.Outcome,
			"reason", e.Reason, "requestId", e.RequestID)
	}
}

// Entries returns the newest entries first, at most limit (0 = all).
func (a *Audit) Entries(limit int) []AuditEntry {
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
