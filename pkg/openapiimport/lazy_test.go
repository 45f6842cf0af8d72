package openapiimport

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// The lazy model's memory saving rests on the decoder handing a span a
// slice of the document rather than a copy (lazy.go). Were that to change,
// imports would stay correct but hold the document twice: this says so.
func TestSpanAliasesTheDocument(t *testing.T) {
	raw := []byte(`{"paths":{"/a":{"get":{"operationId":"x"}}}}`)
	var doc document
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Paths["/a"]
	if string(s) != `{"get":{"operationId":"x"}}` {
		t.Fatalf("span %q", s)
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	if at < start || at >= start+uintptr(len(raw)) {
		t.Fatal("the span is a copy, not a slice of the document")
	}
}

// A value of an unexpected type inside a lazily decoded path item or schema
// is skipped and noted (with its place), and the rest still maps.
func TestLazyDecodeSkipsWrongTypes(t *testing.T) {
	raw := []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/a":{"get":{"operationId":"getA","summary":7,"responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}},
	"/b":{"get":{"operationId":"getB"}}},
	"components":{"schemas":{"A":{"type":"object","properties":{"n":{"type":"integer","maxLength":"x"}}}}}}`)
	p, err := Import(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 2 || len(p.Queries) != 1 || len(p.Queries[0].Fields) != 1 || p.Queries[0].Fields[0].Type != "int64" {
		t.Fatalf("proposal %+v", p)
	}
	if len(p.Notes) == 0 || p.Notes[0].Message != "values of an unexpected type were skipped (the first at paths./a.get.summary)" {
		t.Fatalf("notes %+v", p.Notes)
	}
}

// Forgetting the decoded component schemas between path items (lazy.go)
// changes what an import holds, not what it proposes: the same document
// imported forgetting after every path item, and never, gives the same
// proposal. The document's operations share schemas across path items,
// through $refs, allOf and a cycle, as real descriptions do.
func TestForgettingSchemasKeepsTheProposal(t *testing.T) {
	raw := []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/a":{"get":{"operationId":"listA","responses":{"200":{"content":{"application/json":{"schema":{"type":"object","properties":{"data":{"type":"array","items":{"$ref":"#/components/schemas/A"}}}}}}}}},
	      "post":{"operationId":"createA","requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/AInput"}}}},"responses":{"201":{"description":"ok"}}}},
	"/a/{id}":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z]+$"}}],
	      "get":{"operationId":"getA","responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}},
	      "patch":{"operationId":"updateA","requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/AInput"}}}},"responses":{"200":{"description":"ok"}}}},
	"/b":{"get":{"operationId":"listB","responses":{"200":{"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/B"}}}}}}},
	      "put":{"operationId":"putB","requestBody":{"content":{"application/json":{"schema":{"allOf":[{"$ref":"#/components/schemas/AInput"},{"$ref":"#/components/schemas/B"}]}}}},"responses":{"200":{"description":"ok"}}}}},
	"components":{"schemas":{
	"AInput":{"type":"object","required":["name"],"properties":{"name":{"type":"string","maxLength":50},"kind":{"type":"string","enum":["x","y"]},"size":{"type":"integer","minimum":1}}},
	"A":{"allOf":[{"$ref":"#/components/schemas/AInput"},{"type":"object","properties":{"id":{"type":"string"},"at":{"type":"string","format":"date-time"},"parent":{"$ref":"#/components/schemas/A"}}}]},
	"B":{"type":"object","properties":{"a":{"$ref":"#/components/schemas/A"},"score":{"type":"number"},"ok":{"type":"boolean"}}}}}}`)
	always, b, err := importWith(raw, Options{}, cacheBudget{cached: 0, redecode: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if b.forgot != 3 {
		t.Fatalf("forgot %d times, want after each of the 3 path items", b.forgot)
	}
	never, b, err := importWith(raw, Options{}, cacheBudget{cached: 1 << 30, redecode: 1 << 30})
	if err != nil || b.forgot != 0 {
		t.Fatalf("%v, forgot %d times", err, b.forgot)
	}
	x, _ := json.Marshal(always)
	y, _ := json.Marshal(never)
	if string(x) != string(y) {
		t.Fatalf("forgetting changed the proposal:\n%s\n%s", x, y)
	}
	if len(never.Actions) != 3 || len(never.Queries) != 3 || len(never.Actions[0].Params) == 0 {
		t.Fatalf("proposal %s", y)
	}
}

// Re-decoding is bounded: once the schemas decoded in all pass the budget's
// redecode bytes, nothing more is forgotten, so a document whose every
// operation names the same large schema decodes it a bounded number of
// times, not once per operation.
func TestForgettingSchemasIsBounded(t *testing.T) {
	var paths strings.Builder
	for i := range 200 {
		if i > 0 {
			paths.WriteByte(',')
		}
		fmt.Fprintf(&paths, `"/p%d":{"get":{"operationId":"op%d","responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Big"}}}}}}}`, i, i)
	}
	var props strings.Builder
	for i := range 300 {
		if i > 0 {
			props.WriteByte(',')
		}
		fmt.Fprintf(&props, `"field%d":{"type":"string","description":"a field of the big schema"}`, i)
	}
	raw := []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{` + paths.String() +
		`},"components":{"schemas":{"Big":{"type":"object","properties":{` + props.String() + `}}}}}`)
	big := len(`{"type":"object","properties":{`) + props.Len() + 2
	budget := cacheBudget{cached: 0, redecode: 10 * big}
	p, b, err := importWith(raw, Options{}, budget)
	if err != nil || len(p.Queries) != 200 {
		t.Fatalf("%v %+v", err, p)
	}
	if b.refs.decoded > budget.redecode+big || b.forgot != 10 {
		t.Fatalf("decoded %d bytes (budget %d), forgot %d times", b.refs.decoded, budget.redecode, b.forgot)
	}
	if len(p.Queries[199].Fields) != 300 {
		t.Fatalf("fields %d", len(p.Queries[199].Fields))
	}
}

// The proposal's lists are allocated once at their size (countOperations),
// and reserve no room for what the document cannot yield: operations of
// unusable paths, GETs without responses.
func TestProposalListsAtTheirSize(t *testing.T) {
	p, err := Import(generateDocument(200<<10), Options{})
	if err != nil || len(p.Rules) == 0 {
		t.Fatal(err)
	}
	if cap(p.Rules) != len(p.Rules) || cap(p.Actions) != len(p.Actions) || cap(p.Queries) != len(p.Queries) {
		t.Errorf("rules %d/%d, actions %d/%d, queries %d/%d (len/cap)", len(p.Rules), cap(p.Rules),
			len(p.Actions), cap(p.Actions), len(p.Queries), cap(p.Queries))
	}
	p, err = Import([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/a/../b":{"get":{"responses":{}},"post":{}},"c":{"get":{"responses":{}}},"/d":{"get":{}},"/e":{"get":{"responses":{}}}}}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 2 || cap(p.Rules) != 2 || cap(p.Actions) != 0 || cap(p.Queries) != 1 {
		t.Errorf("rules %d/%d, actions %d, queries %d (caps)", len(p.Rules), cap(p.Rules), cap(p.Actions), cap(p.Queries))
	}
}
