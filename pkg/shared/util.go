package shared

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

func replaceAll(s, old, repl string) string { return strings.ReplaceAll(s, old, repl) }

// randomToken names one claim or one process; 16 random bytes.
func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// hashKey bounds a caller-built key's length (a cache key holds a whole
// request) without losing its identity.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
