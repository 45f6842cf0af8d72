package main

import (
	"crypto/rand"
	"sync"
)

// refreshStore holds the OAuth2 refresh tokens /oauth/token issued with the password and refresh_token grants. Each
// is good for one use (rotation): refreshing spends it and issues the next.
type refreshStore struct {
	mu     sync.Mutex
	tokens map[string]bool
}

func newRefreshStore() *refreshStore { return &refreshStore{tokens: map[string]bool{}} }

func (rs *refreshStore) issue() string {
	tok := "rt-" + rand.Text()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.tokens) >= maxTokens {
		clear(rs.tokens) // a demo: forgetting all beats growing without bound
	}
	rs.tokens[tok] = true
	return tok
}

// spend reports whether tok was a live refresh token, and forgets it.
func (rs *refreshStore) spend(tok string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	ok := rs.tokens[tok]
	delete(rs.tokens, tok)
	return ok
}
