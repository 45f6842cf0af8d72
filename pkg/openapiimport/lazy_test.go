package openapiimport

import (
	"encoding/json"
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
