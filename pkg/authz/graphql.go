package authz

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/settings"
)

// graphQLTokenLimit bounds one document's tokens (gqlgen's default). It
// also bounds the parser's recursion, so no document can exhaust the stack.
const graphQLTokenLimit = 15000

// CheckGraphQL decides the GraphQL documents a request to rule carries
// (settings.GraphQLRule): every operation of every document (batched
// entries, multi-operation documents) must be of an allowed type, within the
// depth (fragments expanded, cycles refused) and the aliases of the whole
// request, and touch __schema or __type only if introspection is allowed.
// nil when the rule has no graphql block. Refusals are 403
// graphql_operation_denied; a request Relay cannot read as GraphQL is 400
// graphql_invalid. Messages name what was refused, never the document.
func CheckGraphQL(rule *Rule, method string, params url.Values, body *RequestBody) *apierr.Error {
	if rule == nil || rule.GraphQL == nil {
		return nil
	}
	reqs, err := graphQLRequests(method, params, body)
	if err != nil {
		return err
	}
	g := rule.GraphQL
	aliases := 0
	for i, r := range reqs {
		where := ""
		if len(reqs) > 1 {
			where = fmt.Sprintf("request %d: ", i)
		}
		n, err := checkGraphQLDocument(rule.Path, g, r, where)
		if err != nil {
			return err
		}
		if aliases += n; aliases > g.AliasLimit() {
			return apierr.Forbidden("graphql_operation_denied",
				"the request uses more than %d aliases; the proxy rule for %s allows %d (graphql.maxAliases)", g.AliasLimit(), rule.Path, g.AliasLimit())
		}
	}
	return nil
}

// checkGraphQLBody is the gate's half: the matched rule's graphql block
// against the request the context says is being sent.
func checkGraphQLBody(ctx context.Context, rule *Rule, method string, u *url.URL) *apierr.Error {
	if rule == nil || rule.GraphQL == nil || admissionOnly(ctx) {
		return nil
	}
	var params url.Values
	if u != nil {
		var err error
		if params, err = url.ParseQuery(u.RawQuery); err != nil {
			return invalidGraphQL("the query string does not parse")
		}
	}
	return CheckGraphQL(rule, method, params, requestBodyFrom(ctx))
}

// checkGraphQLDocument parses one document and checks its operations; it
// returns the aliases they use.
func checkGraphQLDocument(path string, g *settings.GraphQLRule, r graphQLRequest, where string) (int, *apierr.Error) {
	doc, perr := parser.ParseQueryWithTokenLimit(&ast.Source{Input: r.query}, graphQLTokenLimit)
	if perr != nil {
		return 0, parseError(perr, where)
	}
	if len(doc.Operations) == 0 {
		return 0, invalidGraphQL("%sthe document holds no operation", where)
	}
	names := map[string]bool{}
	for _, op := range doc.Operations {
		if names[op.Name] {
			return 0, invalidGraphQL("%stwo operations share the name %q", where, op.Name)
		}
		names[op.Name] = true
	}
	if r.operationName != "" && !names[r.operationName] {
		return 0, invalidGraphQL("%soperationName names no operation of the document", where)
	}
	w := &walker{frags: map[string]*fragInfo{}}
	for _, f := range doc.Fragments {
		if w.frags[f.Name] != nil {
			return 0, invalidGraphQL("%stwo fragments share the name %q", where, f.Name)
		}
		w.frags[f.Name] = &fragInfo{def: f}
	}
	// Every operation is checked, not only the one operationName picks: a
	// server that reads operationName differently must not find a mutation.
	total := 0
	for _, op := range doc.Operations {
		label := string(op.Operation)
		if op.Name != "" {
			label += fmt.Sprintf(" (%q)", op.Name)
		}
		if !slices.Contains(g.AllowedOperations(), string(op.Operation)) {
			return 0, apierr.Forbidden("graphql_operation_denied",
				"%sthe proxy rule for %s allows GraphQL %s operations only (graphql.operations); the request holds a %s",
				where, path, strings.Join(g.AllowedOperations(), ", "), label)
		}
		s, err := w.set(op.SelectionSet)
		if err != nil {
			return 0, invalidGraphQL("%s%s", where, err.Error())
		}
		if s.introspection && !g.Introspection {
			return 0, apierr.Forbidden("graphql_operation_denied",
				"%sthe %s uses introspection (__schema or __type), which the proxy rule for %s does not allow (graphql.introspection)", where, label, path)
		}
		if s.depth > g.DepthLimit() {
			return 0, apierr.Forbidden("graphql_operation_denied",
				"%sthe %s is %d levels deep; the proxy rule for %s allows %d (graphql.maxDepth)", where, label, s.depth, path, g.DepthLimit())
		}
		total = addCapped(total, s.aliases)
	}
	return total, nil
}

// parseError reports where a document fails to parse, not the parser's
// message: that quotes the document's tokens.
func parseError(err error, where string) *apierr.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		if strings.Contains(ge.Message, "token limit") {
			return invalidGraphQL("%sthe document has more than %d tokens", where, graphQLTokenLimit)
		}
		if len(ge.Locations) > 0 {
			return invalidGraphQL("%sthe document does not parse (line %d, column %d)", where, ge.Locations[0].Line, ge.Locations[0].Column)
		}
	}
	return invalidGraphQL("%sthe document does not parse", where)
}

// shape is what a selection set does once its fragments are expanded.
type shape struct {
	depth         int
	aliases       int
	introspection bool
}

type fragInfo struct {
	def      *ast.FragmentDefinition
	visiting bool
	done     bool
	shape    shape
}

// walker computes shapes, each fragment once (memoized), so a document whose
// fragments spread each other many times costs its size, not its expansion.
type walker struct{ frags map[string]*fragInfo }

// aliasCap keeps the expanded counts from overflowing: anything above it is
// over every limit anyway.
const aliasCap = 1 << 30

func addCapped(a, b int) int { return min(a+b, aliasCap) }

func (w *walker) set(ss ast.SelectionSet) (shape, error) {
	var out shape
	for _, sel := range ss {
		var s shape
		switch x := sel.(type) {
		case *ast.Field:
			child, err := w.set(x.SelectionSet)
			if err != nil {
				return out, err
			}
			s = shape{depth: child.depth + 1, aliases: child.aliases, introspection: child.introspection}
			if x.Alias != "" && x.Alias != x.Name {
				s.aliases = addCapped(s.aliases, 1)
			}
			if x.Name == "__schema" || x.Name == "__type" {
				s.introspection = true
			}
		case *ast.InlineFragment:
			child, err := w.set(x.SelectionSet)
			if err != nil {
				return out, err
			}
			s = child
		case *ast.FragmentSpread:
			f := w.frags[x.Name]
			if f == nil {
				return out, fmt.Errorf("the fragment %q is not defined", x.Name)
			}
			if f.visiting {
				return out, fmt.Errorf("the fragment %q spreads itself (a cycle)", x.Name)
			}
			if !f.done {
				f.visiting = true
				child, err := w.set(f.def.SelectionSet)
				f.visiting = false
				if err != nil {
					return out, err
				}
				f.shape, f.done = child, true
			}
			s = f.shape
		}
		out.depth = max(out.depth, s.depth)
		out.aliases = addCapped(out.aliases, s.aliases)
		out.introspection = out.introspection || s.introspection
	}
	return out, nil
}
