package transform

import (
	"context"
	"math"
	"strings"

	"github.com/tidwall/gjson"
)

// FieldInfo describes one field found in the data, for editor autocomplete.
type FieldInfo struct {
	// Path is a gjson path relative to the root (nested objects flattened with
	// dots, special characters escaped), usable as a column selector; for CSV
	// the header name.
	Path string `json:"path"`
	// Type is the type inference would give the values: string, number,
	// boolean, time or json.
	Type string `json:"type"`
	// Nullable is true when some sampled row has no value (missing or null).
	Nullable bool `json:"nullable"`
}

// DefaultSampleRows is used by InferSchema when sampleRows is not positive.
const DefaultSampleRows = 100

// maxSchemaDepth bounds how deep InferSchema flattens nested objects; deeper
// objects are reported as one json field.
const maxSchemaDepth = 8

// InferSchema reads up to sampleRows rows (after Format, Root and CSV options;
// Columns and Steps are ignored) and lists the fields found in first-seen
// order. Unlike Run's inference, nested objects are flattened into dotted
// paths, since the editor wants selectors for the leaves. The context's
// deadline bounds the time. Errors are *Error.
func InferSchema(ctx context.Context, in Input, p *Pipeline, sampleRows int) ([]FieldInfo, error) {
	return InferSchemaWithin(ctx, in, p, sampleRows, Limits{})
}

// InferSchemaWithin is InferSchema within a data source's limits: its
// maxInputBytes (after decompression) and the caller's memory budget, as
// Run has them (/schema runs under exactly the limits of /transform).
// MaxRows is the sample's size.
func InferSchemaWithin(ctx context.Context, in Input, p *Pipeline, sampleRows int, lim Limits) ([]FieldInfo, error) {
	if p == nil {
		p = &Pipeline{}
	}
	if ve := p.validateStructure(); ve != nil {
		return nil, pipelineError(ve)
	}
	if sampleRows <= 0 {
		sampleRows = DefaultSampleRows
	}
	lim.MaxRows = sampleRows
	lim = lim.withDefaults()
	body, err := decodeBody(ctx, in, lim)
	if err != nil {
		return nil, err
	}
	r, ferr := resolveFormat(p.Format, in.ContentType, body)
	if ferr != nil {
		return nil, ferr
	}
	if !r.readsBlank && isBlank(body) {
		return []FieldInfo{}, nil
	}
	sample := &Pipeline{Format: r.name, Root: p.Root, RootSyntax: p.RootSyntax, CSV: p.CSV}
	return r.schema(ctx, body, sample, lim, &notices{})
}

// sampleFields flattens the first lim.MaxRows rows of src into fields; the
// source may hold more (only the sample is read). textual: XML rows, whose
// strings are text.
func sampleFields(ctx context.Context, src rowSource, lim Limits, textual bool) ([]FieldInfo, error) {
	sampleRows := lim.MaxRows
	fl := &flattener{byPath: map[string]*leaf{}, maxCols: lim.MaxColumns, textual: textual}
	n := 0
	_, err := src.each(ctx, func(i int, row gjson.Result) bool {
		if i >= sampleRows || ctx.Err() != nil {
			return false
		}
		fl.walk(i, "", row, 0)
		n = i + 1
		return true
	})
	if err != nil && AsError(err).Code != CodeTooManyRows {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	out := make([]FieldInfo, 0, len(fl.order))
	for _, l := range fl.order {
		l.b.resolve()
		typ := l.b.typ
		if typ == tUnknown {
			typ = tString
		}
		out = append(out, FieldInfo{Path: l.b.key, Type: typ.String(), Nullable: l.rows < n})
	}
	return out, nil
}

// unsampled is lim for a source that may hold any number of rows, of
// which only the sample is read.
func unsampled(lim Limits) Limits {
	lim.MaxRows = math.MaxInt32
	return lim
}

// flattener infers one column per leaf path. It reuses colBuilder so the
// types agree with what Run would infer for a column with that selector.
type flattener struct {
	byPath  map[string]*leaf
	order   []*leaf
	maxCols int
	textual bool // XML rows: strings are text (see colBuilder.textual)
}

type leaf struct {
	b    *colBuilder
	rows int // rows with a non-null value
	last int // last row counted, +1
}

func (f *flattener) walk(i int, prefix string, v gjson.Result, depth int) {
	if v.IsObject() && depth < maxSchemaDepth {
		members := 0
		v.ForEach(func(k, val gjson.Result) bool {
			members++
			path := gjson.Escape(k.Str)
			if f.textual {
				path = xmlKeyPath(k.Str)
			}
			if prefix != "" {
				path = prefix + "." + path
			}
			f.walk(i, path, val, depth+1)
			return true
		})
		if members > 0 || depth == 0 { // an empty nested object is a json leaf; an empty row has no fields
			return
		}
	}
	path := prefix
	if path == "" { // a row that is not an object
		path = "@this"
	}
	l, ok := f.byPath[path]
	if !ok {
		if len(f.order) >= f.maxCols {
			return
		}
		name := path
		if j := strings.LastIndexByte(path, '.'); j >= 0 {
			name = path[j+1:]
		}
		l = &leaf{b: newColBuilder(name, 0)}
		l.b.textual = f.textual
		l.b.key = strings.Clone(path)
		f.byPath[l.b.key] = l
		f.order = append(f.order, l)
	}
	if v.Type != gjson.Null && l.last != i+1 {
		l.rows++
		l.last = i + 1
	}
	l.b.putJSON(i, v)
}

func hasNull(c *column) bool {
	for i := 0; i < c.len(); i++ {
		if c.isNull(i) {
			return true
		}
	}
	return false
}

// xmlKeyPath is the path of a key of an XML row: "@id" and "#text" as they
// are (gjson reads them as keys), unless "@name" is one of gjson's modifiers.
func xmlKeyPath(k string) string {
	if k == "#text" {
		return k
	}
	if len(k) > 1 && k[0] == '@' && gjson.Escape(k[1:]) == k[1:] && !gjson.ModifierExists(k[1:], nil) {
		return k
	}
	return gjson.Escape(k)
}

// fieldInfo lists a read table's columns (CSV and HTML samples).
func (t *table) fieldInfo() []FieldInfo {
	out := make([]FieldInfo, len(t.cols))
	for i, c := range t.cols {
		out[i] = FieldInfo{Path: c.name, Type: c.typ.String(), Nullable: hasNull(c)}
	}
	return out
}
