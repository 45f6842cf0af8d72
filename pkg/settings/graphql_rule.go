package settings

import (
	"fmt"
	"slices"
)

// GraphQL operation types a rule's graphql.operations may list.
const (
	GraphQLQuery        = "query"
	GraphQLMutation     = "mutation"
	GraphQLSubscription = "subscription"
)

// GraphQLOperations are the operation types of GraphQL, in the order editors show them.
func GraphQLOperations() []string {
	return []string{GraphQLQuery, GraphQLMutation, GraphQLSubscription}
}

// The bounds a rule's graphql block gets when it leaves them out: the
// block exists to bound what a document may do, so it never means "no bound".
const (
	DefaultGraphQLMaxDepth   = 10
	DefaultGraphQLMaxAliases = 20
	// MaxGraphQLDepth caps maxDepth: the parser's token limit bounds the
	// nesting anyway, a larger depth would only read as a promise.
	MaxGraphQLDepth = 100
)

// GraphQLRule makes a proxy rule GraphQL-aware: the request body (or a GET's
// query parameter) is parsed as GraphQL and every operation it holds must be
// of an allowed type and within the bounds (pkg/authz/graphql.go).
type GraphQLRule struct {
	// Operations are the allowed operation types; empty means [query].
	Operations []string `json:"operations,omitempty"`
	// MaxDepth bounds the selection depth, fragments expanded (0: 10).
	MaxDepth int `json:"maxDepth,omitempty"`
	// MaxAliases bounds the aliased fields of the whole request, every
	// operation and batched entry counted, fragments expanded (0: 20).
	MaxAliases int `json:"maxAliases,omitempty"`
	// Introspection allows __schema and __type.
	Introspection bool `json:"introspection,omitempty"`
}

// AllowedOperations are the allowed operation types, defaulted.
func (g *GraphQLRule) AllowedOperations() []string {
	if len(g.Operations) == 0 {
		return []string{GraphQLQuery}
	}
	return g.Operations
}

// DepthLimit is maxDepth, defaulted.
func (g *GraphQLRule) DepthLimit() int {
	if g.MaxDepth == 0 {
		return DefaultGraphQLMaxDepth
	}
	return g.MaxDepth
}

// AliasLimit is maxAliases, defaulted.
func (g *GraphQLRule) AliasLimit() int {
	if g.MaxAliases == 0 {
		return DefaultGraphQLMaxAliases
	}
	return g.MaxAliases
}

func validateGraphQLRule(field string, g *GraphQLRule, errs *Errors) {
	if g == nil {
		return
	}
	for j, op := range g.Operations {
		if !slices.Contains(GraphQLOperations(), op) {
			errs.add(fmt.Sprintf("%s.operations[%d]", field, j), "unknown operation type %q (want query, mutation or subscription)", op)
		}
	}
	if g.MaxDepth < 0 || g.MaxDepth > MaxGraphQLDepth {
		errs.add(field+".maxDepth", "must be between 1 and %d (0: %d)", MaxGraphQLDepth, DefaultGraphQLMaxDepth)
	}
	if g.MaxAliases < 0 {
		errs.add(field+".maxAliases", "must not be negative (0: %d)", DefaultGraphQLMaxAliases)
	}
}
