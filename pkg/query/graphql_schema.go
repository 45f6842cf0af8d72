package query

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Bounds of GET /graphql/schema: how long the query cache keeps an
// upstream's schema and the largest one the editor is sent.
const (
	graphQLSchemaTTL      = "5m"
	maxGraphQLSchemaBytes = 4 << 20
)

// introspectionQuery is the query editor's view of a schema: types with
// their fields, arguments, input fields and enum values, and the root
// types. Type references nest three ofType levels ([T!]! needs three), so
// the whole document is 9 levels deep: it passes a GraphQL-aware rule's
// default maxDepth of 10 (graphql.introspection must be true).
const introspectionQuery = `query RelayIntrospection {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types {
      kind name description
      fields(includeDeprecated: true) { name description isDeprecated deprecationReason args { ...InputValue } type { ...TypeRef } }
      inputFields { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    directives { name description locations args { ...InputValue } }
  }
}
fragment InputValue on __InputValue { name description defaultValue type { ...TypeRef } }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

// ServeGraphQLSchema is GET /graphql/schema?path=&upstream=: the upstream's
// introspection (its "data": {"__schema": ...}), for the query editor's
// completion and validation. It is a GraphQL query like any other (the
// caller's grant, the proxy rules with their graphql block, the query rate
// class and byte lease), cached by the query cache, and bounded in size.
func (r *Runner) ServeGraphQLSchema(w http.ResponseWriter, req *http.Request) {
	req = req.WithContext(upstream.WithForwardedHeaders(req.Context(), req.Header))
	qs := req.URL.Query()
	path := qs.Get("path")
	if path == "" {
		path = "/graphql"
	}
	q, err := Parse(mustJSON(map[string]any{"path": path, "upstream": qs.Get("upstream"), "cacheTTL": graphQLSchemaTTL,
		"graphql": map[string]any{"query": introspectionQuery}}))
	if err != nil {
		apierr.Write(w, req, apierr.BadRequest("bad_request", "%s", err.Error()))
		return
	}
	x, err := q.expand(Macros{})
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	caller := authz.AuthorizedCaller(req.Context())
	rr, g, err := r.forUpstream(q.Upstream, r.Grant(caller, false))
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	c := &call{grant: g, lease: r.bytes.Lease(caller.Key())}
	defer c.lease.Release()
	src, err := rr.source(req.Context(), c, q, x, x.pipeline)
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	schema := gjson.GetBytes(src.body, "data")
	switch {
	case src.contentEncoding != "":
		err = apierr.Downstream(http.StatusBadGateway, "graphql_schema_invalid", "the upstream answered its schema encoded (%s)", src.contentEncoding)
	case len(schema.Raw) > maxGraphQLSchemaBytes:
		err = apierr.Downstream(http.StatusBadGateway, "graphql_schema_too_large", "the upstream's schema exceeds %d bytes", maxGraphQLSchemaBytes)
	case !schema.Get("__schema.types").IsArray():
		err = apierr.Downstream(http.StatusBadGateway, "graphql_schema_invalid", "the upstream's answer holds no data.__schema.types")
	}
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	var out bytes.Buffer
	if json.Compact(&out, []byte(schema.Raw)) != nil {
		apierr.Write(w, req, apierr.Downstream(http.StatusBadGateway, "graphql_schema_invalid", "the upstream's schema is not JSON"))
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=60")
	httpx.WriteJSON(w, http.StatusOK, json.RawMessage(out.Bytes()))
}
