// Package httpx holds the small HTTP helpers every resource handler shares:
// JSON answers, body errors, the call's request id, notes for its audit entry
// and the stream-abort signal. It is a leaf: it imports only apierr and the
// SDK, so the router (resources) and the handlers (proxy, query, actions) can
// both use it without importing each other.
package httpx
