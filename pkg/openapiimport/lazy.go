package openapiimport

import (
	"encoding/json"
	"errors"
)

// span is a JSON value of the document left undecoded: its bytes. The
// decoder hands an Unmarshaler the value's bytes as a slice of the input
// it decodes (json.Unmarshal over the document), so keeping that slice
// copies nothing; TestSpanAliasesTheDocument checks that it still does.
// Correctness does not depend on it: were the decoder to hand a copy, the
// span would own it. The document is never written to while imported.
type span []byte

func (s *span) UnmarshalJSON(data []byte) error {
	*s = data
	return nil
}

// decodeSpan decodes a span into v. A value of an unexpected type inside it
// is skipped, as load skips one (the rest still maps); where is the span's
// place in the document, for the note naming the first one.
func (r *refs) decode(s span, v any, where string) {
	err := json.Unmarshal(s, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && r.skipped == "" {
		r.skipped = where
		if te.Field != "" {
			r.skipped += "." + te.Field
		}
	}
	// Any other error cannot happen: load checked the whole document.
}

// pathItemAt decodes the path item of a template; nil for a null one.
func (b *builder) pathItemAt(tpl string) *pathItem {
	var item *pathItem
	b.refs.decode(b.refs.doc.Paths[tpl], &item, "paths."+tpl)
	return item
}

// componentSchema is components.schemas' entry of that name, decoded the
// first time a $ref names it and kept (marked shared) for the rest of the
// import; nil when there is none.
func (r *refs) componentSchema(name string) *schema {
	if s, ok := r.schemas[name]; ok {
		return s
	}
	raw, ok := r.doc.Components.Schemas[name]
	var s *schema
	if ok {
		r.decode(raw, &s, "components.schemas."+name)
		markShared(s, 0)
		r.cached += len(raw)
		r.decoded += len(raw)
	}
	r.schemas[name] = s
	return s
}

// The component schemas decoded (and the memos keyed on them) were the
// bulk of what an import held besides the proposal, though many of a large
// document's schemas serve a few operations next to each other (in the
// generated benchmark document, each resource's serve its own paths; a
// schema shared more widely is decoded again after a forget). So once the
// schemas decoded since the last time take more than cacheBytes of the
// document, they and the memos are forgotten between two path items, and
// what the next operations name is decoded again. Re-decoding is bounded:
// once redecodeFactor × the document's bytes have been decoded (a document
// whose operations all share large schemas would decode them again and
// again), nothing more is forgotten and the import keeps what it decodes,
// as before.
const (
	cacheMinBytes  = 256 << 10
	cacheShare     = 16 // of the document
	redecodeFactor = 3
)

// cacheBudget is when forgetSchemas forgets: past cached bytes of the
// document decoded since the last time, while fewer than redecode bytes
// were decoded in all.
type cacheBudget struct{ cached, redecode int }

func defaultBudget(docBytes int) cacheBudget {
	return cacheBudget{cached: max(cacheMinBytes, docBytes/cacheShare), redecode: redecodeFactor * docBytes}
}

// forgetSchemas drops the decoded component schemas and the memos keyed on
// them when they are over budget. Called between path items only: within
// an operation, the walks rely on a schema keeping its identity.
func (b *builder) forgetSchemas() {
	r := b.refs
	if r.cached <= b.budget.cached || r.decoded > b.budget.redecode {
		return
	}
	r.schemas, r.cached = map[string]*schema{}, 0
	b.flats, b.types = map[*schema]*flat{}, map[*schema][2]string{}
	b.forgot++
}

// markShared marks a schema and the schemas inside it as shared (see
// schema.shared). JSON decodes to a tree, and maxSchemaDepth bounds the walk.
func markShared(s *schema, depth int) {
	if s == nil || depth > maxSchemaDepth*4 {
		return
	}
	s.shared = true
	markShared(s.Items, depth+1)
	for _, p := range s.propList() {
		markShared(p.schema, depth+1)
	}
	for _, list := range [][]*schema{s.AllOf, s.more().OneOf, s.more().AnyOf} {
		for _, m := range list {
			markShared(m, depth+1)
		}
	}
}

// markComponents marks the schemas of the eagerly decoded components
// (parameters, request bodies, responses, path items) as shared.
func markComponents(doc *document) {
	for _, p := range doc.Components.Parameters {
		markParam(p)
	}
	for _, b := range doc.Components.RequestBodies {
		if b != nil {
			markContent(b.Content)
		}
	}
	for _, x := range doc.Components.Responses {
		if x != nil {
			markContent(x.Content)
		}
	}
	for _, it := range doc.Components.PathItems {
		if it == nil {
			continue
		}
		for _, p := range it.Parameters {
			markParam(p)
		}
		for _, m := range methodOrder {
			op := it.operation(m)
			if op == nil {
				continue
			}
			for _, p := range op.Parameters {
				markParam(p)
			}
			if op.RequestBody != nil {
				markContent(op.RequestBody.Content)
			}
			for _, x := range op.Responses {
				if x != nil {
					markContent(x.Content)
				}
			}
		}
	}
}

func markParam(p *param) {
	if p != nil {
		markShared(p.Schema, 0)
	}
}

func markContent(c map[string]*media) {
	for _, m := range c {
		if m != nil {
			markShared(m.Schema, 0)
		}
	}
}
