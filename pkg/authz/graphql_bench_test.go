package authz

import (
	"testing"

	"github.com/relay-gateway/relay/pkg/settings"
)

// BenchmarkCheckGraphQL is the cost a GraphQL-aware rule adds to a request:
// reading the JSON body and parsing and walking a typical paged query.
func BenchmarkCheckGraphQL(b *testing.B) {
	r := graphQLRule(&settings.GraphQLRule{Operations: []string{"query"}})
	body := jsonBody(map[string]any{"query": `query Items($first: Int, $after: String) {
  items(first: $first, after: $after) { nodes { id name category price in_stock created_at tags } totalCount pageInfo { endCursor hasNextPage } }
}`, "operationName": "Items", "variables": map[string]any{"first": 100, "after": "c100"}})
	b.SetBytes(int64(len(body.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckGraphQL(r, "POST", nil, body); err != nil {
			b.Fatal(err)
		}
	}
}
