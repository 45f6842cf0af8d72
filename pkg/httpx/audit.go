package httpx

import (
	"context"
	"sync"
)

type auditNoteKey struct{}

// AuditNote carries what only a handler knows into its call's audit entry.
type AuditNote struct {
	mu             sync.Mutex
	apiKey, reason string
}

// WithAuditNote gives the call a note for handlers to fill (the router does).
func WithAuditNote(ctx context.Context, n *AuditNote) context.Context {
	return context.WithValue(ctx, auditNoteKey{}, n)
}

// Read returns what handlers noted.
func (n *AuditNote) Read() (apiKey, reason string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.apiKey, n.reason
}

// NoteAudit adds to the current call's audit entry an API key the handler
// verified itself (a named action's own key) and the reason it refused or
// how it ended (e.g. "invalid_params", "replayed"). Empty values are ignored.
func NoteAudit(ctx context.Context, apiKey, reason string) {
	n, ok := ctx.Value(auditNoteKey{}).(*AuditNote)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if apiKey != "" {
		n.apiKey = apiKey
	}
	if reason != "" {
		n.reason = reason
	}
}
