package transform

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// Format "xml" streams the document with encoding/xml's token reader
// (RawToken: no namespace bookkeeping, no copies of text we do not keep),
// matches the root path (xml_path.go) against the stack of open elements,
// and converts each matching element — one row — into a JSON object:
//
//	<book id="7" lang="en"><title>Go</title><tag>a</tag><tag>b</tag></book>
//	→ {"@id":"7","@lang":"en","title":"Go","tag":["a","b"]}
//
// attributes are "@name", child elements their local name (repeated ones an
// array), an element with only text its trimmed text, an empty one null, and
// text beside attributes or children "#text". The rows are one JSON array
// read by the JSON row source, so selectors, inference and /schema work as
// for JSON — with the text rules of CSV, since every XML value is text
// ("12.5" is a number, "true" a boolean).
//
// Safety: only the five predefined entities and character references are
// expanded (encoding/xml's Strict mode); a DOCTYPE that declares entities is
// refused (billion laughs, external entities), nothing is ever fetched;
// nesting is bounded like JSON's; the converted rows are bounded by
// textBudgetFactor × MaxInputBytes.

// xmlMaxDepth matches the JSON reader's nesting limit.
const xmlMaxDepth = 512

type xmlReader struct {
	path    *xmlPath
	last    int // index of the path's last step
	maxRows int
	sample  bool // stop quietly at maxRows (InferSchema)
	maxOut  int64

	out    []byte
	bounds []uint32
	rows   int

	direct *xmlDirect // set: rows go straight into columns (read_xml_columns.go), not into out
	src    xmlTokens

	frames []xmlFrame // open elements outside rows (frames[0] is the document)
	nodes  []xnode    // the row being captured; nodes[0] is the row element
	open   []int32    // open elements inside the row (indices into nodes)
}

// xmlFrame is an open element outside rows: its name (to check the end tag)
// and the path steps its children may match.
type xmlFrame struct {
	prefix, local string
	states        []uint8
	counts        []int32 // matches per step among the children, for [n]
}

type xnode struct {
	local string
	attrs []rawAttr
	text  []byte
	kids  []int32
	pfx   string
}

// readXMLRows converts the rows selected by root into a JSON array (with the
// bounds of each element, as jsonSource wants them).
func readXMLRows(ctx context.Context, body []byte, root string, lim Limits, sample bool) (*jsonSource, error) {
	path, ve := parseXMLPath(root)
	if ve != nil {
		return nil, pipelineError(ve)
	}
	r := &xmlReader{path: path, last: len(path.steps) - 1, maxRows: lim.MaxRows, sample: sample,
		maxOut: textBudgetFactor * lim.MaxInputBytes}
	if r.maxOut > math.MaxUint32 {
		r.maxOut = math.MaxUint32
	}
	r.out = make([]byte, 0, len(body)+2)
	r.out = append(r.out, '[')
	if err := r.read(ctx, body); err != nil {
		return nil, err
	}
	if len(r.out) > 1 {
		r.out[len(r.out)-1] = ']' // the last row's comma
	} else {
		r.out = append(r.out, ']')
	}
	doc := bytesString(r.out)
	return &jsonSource{doc: doc, root: jsonArrayRoot(doc), bounds: r.bounds, n: r.rows, maxRows: lim.MaxRows, textual: true}, nil
}

var errSampleFull = errors.New("sample full")

// read reads the document with the fast tokenizer (xml_scan.go) when it
// is UTF-8, and again with encoding/xml when the fast one declines; the
// reader's state is reset in between (reset).
func (r *xmlReader) read(ctx context.Context, body []byte) error {
	if fastXMLEligible(body) {
		err := r.readWith(ctx, body, &fastXMLTokens{s: newXMLScan(body)})
		if err != errXMLFallback {
			return err
		}
		r.reset()
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charset.NewReaderLabel // ISO-8859-1, windows-1252, … as declared
	return r.readWith(ctx, body, &stdXMLTokens{d: d})
}

// reset forgets what a declined fast read produced.
func (r *xmlReader) reset() {
	r.frames, r.nodes, r.open = r.frames[:0], r.nodes[:0], r.open[:0]
	r.rows, r.bounds = 0, r.bounds[:0]
	if r.out != nil {
		r.out = append(r.out[:0], '[')
	}
	if r.direct != nil {
		r.direct.reset()
	}
}

func (r *xmlReader) readWith(ctx context.Context, body []byte, src xmlTokens) error {
	r.src = src
	r.frames = append(r.frames[:0], xmlFrame{states: []uint8{0}})
	if r.path.hasIndex {
		r.frames[0].counts = make([]int32, len(r.path.steps))
	}
	elements := 0
	for tokens := 0; ; tokens++ {
		if tokens%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return timeoutError(err)
			}
		}
		kind, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return src.syntaxErr(err)
		}
		switch kind {
		case xmlTokStart:
			elements++
			if len(r.frames)+len(r.open) > xmlMaxDepth {
				return src.errAt("nested deeper than %d levels", xmlMaxDepth)
			}
			if err := r.start(src.startTok()); err != nil {
				if err == errSampleFull {
					return nil
				}
				return err
			}
		case xmlTokEnd:
			if err := r.end(src.endTok()); err != nil {
				if err == errSampleFull {
					return nil
				}
				return err
			}
		case xmlTokText:
			t := src.textTok()
			if len(r.open) > 0 {
				n := &r.nodes[r.open[len(r.open)-1]]
				n.text = append(n.text, t...)
			} else if len(r.frames) == 1 && len(bytes.TrimSpace(t)) > 0 {
				return src.errAt("text outside the document element: %s", excerpt(t))
			}
		case xmlTokDirective:
			t := src.directiveTok()
			if bytes.Contains(t, []byte("<!ENTITY")) || bytes.Contains(t, []byte("ENTITY ")) {
				return inputError("invalid XML: the DOCTYPE declares entities, which are refused (no entity expansion, external entities are never fetched)")
			}
		}
	}
	if len(r.frames) > 1 || len(r.open) > 0 {
		return src.fail("invalid XML: unexpected end of the document (an element is not closed)")
	}
	if elements == 0 {
		return src.fail("invalid XML: no element found (starts with %s)", excerpt(body))
	}
	return nil
}

func (r *xmlReader) start(t xml.StartElement) error {
	if len(r.open) > 0 { // inside a row: a child node
		parent := r.open[len(r.open)-1]
		k := r.newNode(t)
		r.nodes[parent].kids = append(r.nodes[parent].kids, k)
		r.open = append(r.open, k)
		return nil
	}
	parent := &r.frames[len(r.frames)-1]
	isRow := false
	var next []uint8
	if len(r.frames) < cap(r.frames) {
		next = r.frames[:len(r.frames)+1][len(r.frames)].states[:0]
	}
	for _, k := range parent.states {
		st := &r.path.steps[k]
		if st.desc {
			next = appendState(next, k)
		}
		if !st.matchName(t.Name.Space, t.Name.Local) || (len(st.preds) > 0 && !st.matchAttrs(rawAttrs(t.Attr))) {
			continue
		}
		if st.index > 0 {
			parent.counts[k]++
			if parent.counts[k] != int32(st.index) {
				continue
			}
		}
		if int(k) == r.last {
			isRow = true
		} else {
			next = appendState(next, k+1)
		}
	}
	if isRow {
		if r.rows >= r.maxRows {
			if r.sample {
				return errSampleFull
			}
			return tooManyRows(r.maxRows)
		}
		r.nodes = r.nodes[:0]
		r.open = append(r.open[:0], r.newNode(t))
		return nil
	}
	if len(r.frames) < cap(r.frames) {
		r.frames = r.frames[:len(r.frames)+1] // reuse the slot's buffers
	} else {
		r.frames = append(r.frames, xmlFrame{})
	}
	f := &r.frames[len(r.frames)-1]
	f.prefix, f.local, f.states = t.Name.Space, t.Name.Local, next
	if r.path.hasIndex {
		if cap(f.counts) >= len(r.path.steps) {
			f.counts = f.counts[:len(r.path.steps)]
			clear(f.counts)
		} else {
			f.counts = make([]int32, len(r.path.steps))
		}
	}
	return nil
}

func appendState(s []uint8, k uint8) []uint8 {
	for _, x := range s {
		if x == k {
			return s
		}
	}
	return append(s, k)
}

func rawAttrs(as []xml.Attr) []rawAttr {
	out := make([]rawAttr, 0, len(as))
	for _, a := range as {
		out = append(out, rawAttr{prefix: a.Name.Space, local: a.Name.Local, value: a.Value})
	}
	return out
}

func (r *xmlReader) newNode(t xml.StartElement) int32 {
	k := len(r.nodes)
	if k < cap(r.nodes) {
		r.nodes = r.nodes[:k+1]
		n := &r.nodes[k]
		n.attrs, n.text, n.kids = n.attrs[:0], n.text[:0], n.kids[:0]
	} else {
		r.nodes = append(r.nodes, xnode{})
	}
	n := &r.nodes[k]
	n.local, n.pfx = t.Name.Local, t.Name.Space
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue // namespace declarations are not data
		}
		n.attrs = append(n.attrs, rawAttr{prefix: a.Name.Space, local: a.Name.Local, value: a.Value})
	}
	return int32(k)
}

func (r *xmlReader) end(t xml.EndElement) error {
	if len(r.open) > 0 {
		n := &r.nodes[r.open[len(r.open)-1]]
		if n.local != t.Name.Local || n.pfx != t.Name.Space {
			return r.src.errAt("element <%s> closed by </%s>", qname(n.pfx, n.local), qname(t.Name.Space, t.Name.Local))
		}
		r.open = r.open[:len(r.open)-1]
		if len(r.open) == 0 {
			return r.emitRow()
		}
		return nil
	}
	if len(r.frames) <= 1 {
		return r.src.errAt("unexpected </%s>", qname(t.Name.Space, t.Name.Local))
	}
	f := &r.frames[len(r.frames)-1]
	if f.local != t.Name.Local || f.prefix != t.Name.Space {
		return r.src.errAt("element <%s> closed by </%s>", qname(f.prefix, f.local), qname(t.Name.Space, t.Name.Local))
	}
	r.frames = r.frames[:len(r.frames)-1]
	return nil
}

func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

func (r *xmlReader) emitRow() error {
	if r.direct != nil {
		if err := r.direct.row(r, r.rows); err != nil {
			return err
		}
		r.rows++
		return nil
	}
	start := len(r.out)
	r.out = r.writeNode(r.out, 0, true)
	if int64(len(r.out)) > r.maxOut {
		return &Error{Code: CodeOutputTooLarge, Message: fmt.Sprintf("the XML rows would hold more than %d bytes (%d × the input limit)", r.maxOut, textBudgetFactor)}
	}
	r.bounds = append(r.bounds, uint32(start), uint32(len(r.out)))
	r.out = append(r.out, ',')
	r.rows++
	return nil
}

func xmlErrorAt(d *xml.Decoder, format string, args ...any) *Error {
	line, col := d.InputPos()
	return inputError("invalid XML: line %d, column %d: %s", line, col, fmt.Sprintf(format, args...))
}

func xmlError(d *xml.Decoder, err error) *Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line, col := d.InputPos()
		msg := se.Msg
		if strings.HasPrefix(msg, "invalid character entity") {
			msg += " (only &lt; &gt; &amp; &apos; &quot; and character references are expanded)"
		}
		if se.Line != line {
			return inputError("invalid XML: line %d: %s", se.Line, msg)
		}
		return inputError("invalid XML: line %d, column %d: %s", line, col, msg)
	}
	line, col := d.InputPos()
	return inputError("invalid XML: line %d, column %d: %s", line, col, strings.TrimPrefix(err.Error(), "xml: "))
}

// excerpt quotes at most 64 bytes of b, escaped, for error messages about
// what a body starts with.
func excerpt(b []byte) string {
	const n = 64
	if len(b) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", b[:cut])
	}
	return fmt.Sprintf("%q", b)
}
