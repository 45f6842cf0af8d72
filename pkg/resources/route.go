// Package resources is Relay's resource API: one route table from which the
// router, the authorization requirements and the OpenAPI document are derived,
// so the three cannot drift apart.
package resources

import (
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Route is one declared endpoint.
type Route struct {
	// Name is stable: settings overrides, API key scopes, metrics and the
	// OpenAPI operationId use it.
	Name    string
	Methods []string
	// Pattern is an http.ServeMux path pattern (no method, no host).
	Pattern string
	// MinRole is the floor; settings may tighten it, never loosen it.
	MinRole role.Role
	// MethodRoles raises the floor for particular methods.
	MethodRoles map[string]role.Role
	// Public routes answer callers without a role.
	Public bool
	// Class groups routes for rate limiting; empty means "read" for safe
	// methods and "write" otherwise.
	Class     string
	BodyLimit int64
	Timeout   time.Duration
	// AlwaysAudit records every call, not only mutating ones.
	AlwaysAudit bool
	// APIKeyPerItem: some of what the route serves (actions) require an API
	// key of their own; the document lists the key as an option.
	APIKeyPerItem bool

	Summary     string
	Description string
	Tag         string
	Params      []*openapi3.ParameterRef
	RequestBody *openapi3.RequestBodyRef
	// Responses by status code; a default error response is added for all.
	Responses map[int]*openapi3.ResponseRef
	// Passthrough: the route answers with the upstream's status and body
	// (the proxy), so any 2xx or 4xx may be the upstream's own.
	Passthrough bool

	Handler http.HandlerFunc
}

// classFor picks the rate-limit class of a call.
func (rt *Route) classFor(method string) string {
	if rt.Class != "" {
		return rt.Class
	}
	if isSafe(method) {
		return settings.RateClassRead
	}
	return settings.RateClassWrite
}

// roleFor is the route's floor for a method.
func (rt *Route) roleFor(method string) role.Role {
	r := rt.MinRole
	if m, ok := rt.MethodRoles[method]; ok && m > r {
		r = m
	}
	if method == http.MethodHead {
		if m, ok := rt.MethodRoles[http.MethodGet]; ok && m > r {
			r = m
		}
	}
	return r
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}
