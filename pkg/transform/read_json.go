package transform

import (
	"context"
	"fmt"
	"math"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// ctxCheckEvery is how many rows are processed between context checks: often
// enough to stop within milliseconds, rarely enough to cost nothing.
const ctxCheckEvery = 1024

// rowSource yields JSON rows. Sources are deterministic, so a second pass
// (re-reading conflicted columns) sees the same rows with the same indices.
type rowSource interface {
	// each calls fn for every row until fn returns false; it returns the number of rows.
	each(ctx context.Context, fn func(i int, row gjson.Result) bool) (int, error)
	hint() int
}

// bytesString views b as a string without copying. gjson only reads its
// input, and every value stored in a column is copied out of it (see
// strArena), so nothing returned by Run aliases the caller's body.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// jsonSource is the rows of one JSON document: the elements of the root array,
// or the root value itself as a single row.
type jsonSource struct {
	doc     string
	root    gjson.Result
	bounds  []uint32 // start/end offsets in doc of each root element, when known
	n       int
	maxRows int
	textual bool // values are text (XML, HTML): strings are read with the CSV text rules
}

// jsonArrayRoot is the parsed root of a JSON array document a reader built.
func jsonArrayRoot(doc string) gjson.Result {
	return gjson.Result{Type: gjson.JSON, Raw: doc}
}

func newJSONSource(body []byte, rootSel string, lim Limits, ns *notices) (*jsonSource, error) {
	var bounds []uint32
	var serr *jsonscan.SyntaxError
	var err *Error
	if rootSel == "" {
		bounds, serr = jsonscan.ValidateRows(body)
	} else {
		serr = jsonscan.Validate(body)
	}
	if serr != nil {
		return nil, inputError("invalid JSON: %s", serr)
	}
	s := &jsonSource{doc: bytesString(body), maxRows: lim.MaxRows}
	if rootSel == "" {
		s.root = gjson.Parse(s.doc)
		if s.root.IsArray() {
			s.bounds = bounds
			s.n = len(bounds) / 2
			if s.n == 0 && len(body) > math.MaxUint32 { // too large to record bounds
				s.n = jsonscan.CountElements(s.root.Raw)
			}
		}
	} else {
		if s.root, err = getRoot(s.doc, rootSel, lim); err != nil {
			return nil, err
		}
		if !s.root.Exists() {
			ns.warn("root %q matched nothing in the response; no rows", rootSel)
		}
		if s.root.IsArray() {
			s.n = jsonscan.CountElements(s.root.Raw)
		}
	}
	switch {
	case s.root.IsArray():
	case !s.root.Exists() || s.root.Type == gjson.Null:
		s.n = 0
	default:
		s.n = 1
	}
	if s.n > lim.MaxRows {
		return nil, tooManyRows(lim.MaxRows)
	}
	return s, nil
}

func (s *jsonSource) hint() int { return s.n }

// getRoot evaluates the root path on doc. Its result must stay within the
// input limit: checked before evaluating when multipaths may repeat the
// data, and after (modifiers make new text).
func getRoot(doc, root string, lim Limits) (gjson.Result, *Error) {
	tooLarge := func(what string) *Error {
		return &Error{Code: CodeOutputTooLarge, Path: "root", Message: what + fmt.Sprintf(" more than the input limit of %d bytes", lim.MaxInputBytes)}
	}
	if f, _ := pathFanout(root); f > 1 && int64(f)*int64(len(doc)) > lim.MaxInputBytes {
		return gjson.Result{}, tooLarge(fmt.Sprintf("the root's multipaths would repeat the data %d times,", f))
	}
	r := gjson.Get(doc, root)
	if int64(len(r.Raw)) > lim.MaxInputBytes {
		return gjson.Result{}, tooLarge("the root selects")
	}
	return r, nil
}

func (s *jsonSource) each(ctx context.Context, fn func(int, gjson.Result) bool) (int, error) {
	if !s.root.IsArray() {
		if s.n == 0 {
			return 0, nil
		}
		fn(0, s.root)
		return 1, nil
	}
	if s.bounds != nil {
		for i := 0; i < s.n; i++ {
			if i%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return i, AsError(err)
				}
			}
			if !fn(i, gjson.Parse(s.doc[s.bounds[2*i]:s.bounds[2*i+1]])) {
				return i + 1, nil
			}
		}
		return s.n, nil
	}
	i := 0
	var err error
	s.root.ForEach(func(_, row gjson.Result) bool {
		if i%ctxCheckEvery == 0 {
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		if i >= s.maxRows {
			err = tooManyRows(s.maxRows)
			return false
		}
		ok := fn(i, row)
		i++
		return ok
	})
	if err != nil {
		return i, AsError(err)
	}
	return i, nil
}

// readRows builds the table from a JSON row source: one pass, plus a second
// one over just the columns whose inferred type changed along the way.
func readRows(ctx context.Context, src rowSource, p *Pipeline, lim Limits, ns *notices) (*table, error) {
	if err := checkSize(lim, src.hint(), len(p.Columns)); err != nil {
		return nil, err
	}
	tb := newTableBuilder(p, src.hint(), lim, false)
	tb.ctx = ctx
	switch s := src.(type) {
	case *jsonSource:
		if s.textual {
			tb.setTextual()
		}
	case *pagesSource:
		if s.textual {
			tb.setTextual()
		}
	}
	n, err := src.each(ctx, tb.jsonRow)
	if tb.err != nil {
		return nil, tb.err
	}
	if err != nil {
		return nil, err
	}
	if again := tb.resolve(ns, true); len(again) > 0 {
		rb := tb.rereadBuilder(again)
		if _, err := src.each(ctx, rb.jsonRow); err != nil {
			return nil, err
		}
	}
	return tb.finish(n, ns), nil
}
