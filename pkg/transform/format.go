package transform

import (
	"bytes"
	"context"
	"mime"
	"slices"
	"strings"
	"unicode/utf8"
)

// A format is one Go file (format_<name>.go) whose init registers its
// reader, like a step type registers its stepKind: how format "auto"
// recognises it, what the pipeline may say about it (root, csv options, jq
// root, column selectors), and how it reads a page. Nothing else in the
// package names a format: Run, InferSchema, SuggestRoots, the pipeline's
// validation and pagination (pages.go) all go through the reader.
type formatReader struct {
	name string
	// order places the format in Formats() (the OpenAPI enum, the editor).
	order int

	// mediaType says whether a Content-Type (without parameters) is this
	// format, for format "auto".
	mediaType func(mt string) bool
	// sniff recognises the format from the body's first bytes when the
	// Content-Type did not decide: trimmed is the body without a BOM and
	// leading white space (never empty), head its first 4 KiB. Readers are
	// asked in sniffOrder; one with needsText is asked only once the head is
	// known to be text (no NUL, valid UTF-8), else the body is unreadable.
	sniff      func(trimmed, head []byte) bool
	sniffOrder int
	needsText  bool

	// checkRoot validates the pipeline's root for this format (nil: no root
	// is allowed). gjsonColumns: column selectors are gjson paths over the
	// row (checked up front). csvOptions and jqRoot: the pipeline's csv
	// options and rootSyntax "jq" apply to this format.
	checkRoot    func(root string) *ValidationError
	gjsonColumns bool
	csvOptions   bool
	jqRoot       bool
	// readsBlank: a blank body is read by the reader itself (CSV: no
	// header, no rows); for the others it is an empty table and a notice.
	readsBlank bool

	// one reads a whole body into a table, when the format has a faster
	// way than page + table for one body (nil: page + table).
	one func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) (*table, error)
	// page reads one page: parsed, validated and its rows counted, held
	// until table builds the table of every page. label, when set, is the
	// value of the label column (list pagination) for each of its rows.
	page func(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices) (pageRows, error)
	// table builds one table from the pages read by page, in order.
	table func(ctx context.Context, pages []pageRows, p *Pipeline, lim Limits, ns *notices) (*table, error)
	// schema lists the fields of a sample of lim.MaxRows rows (InferSchema).
	schema func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error)
	// roots suggests roots (SuggestRoots); nil: the format has none to suggest.
	roots func(ctx context.Context, body []byte, lim Limits) ([]RootSuggestion, error)
}

// pageLabel is the column list pagination adds to every row of a page.
type pageLabel struct{ name, value string }

// pageRows is one page as its format's reader read it.
type pageRows interface {
	// count is the number of rows of the page (after keep).
	count() int
	// keep drops the rows after the first n (the pages' MaxRows).
	keep(n int)
}

var formatReaders []*formatReader

// registerFormat adds a format; each format file calls it from init.
func registerFormat(r *formatReader) {
	if r.name == FormatAuto || formatReaderOf(r.name) != nil {
		panic("transform: format " + r.name + " registered twice")
	}
	formatReaders = append(formatReaders, r)
	slices.SortStableFunc(formatReaders, func(a, b *formatReader) int { return a.order - b.order })
}

func formatReaderOf(name string) *formatReader {
	if name == "" {
		name = FormatJSON
	}
	for _, r := range formatReaders {
		if r.name == name {
			return r
		}
	}
	return nil
}

// Formats lists the pipeline formats (the OpenAPI enum and the editor's
// options): the registered readers, then "auto".
func Formats() []string {
	out := make([]string, 0, len(formatReaders)+1)
	for _, r := range formatReaders {
		out = append(out, r.name)
	}
	return append(out, FormatAuto)
}

// readerNames is the readable formats for messages: "json, ndjson, …".
func readerNames() string {
	names := Formats()
	return strings.Join(names[:len(names)-1], ", ")
}

// resolveFormat is the reader of a body: the pipeline's format, or for
// "auto" the one the content type, else the bytes, point to.
func resolveFormat(format, contentType string, body []byte) (*formatReader, *Error) {
	if format != FormatAuto {
		return formatReaderOf(format), nil // validated: it exists
	}
	return sniffFormat(contentType, body)
}

// sniffFormat resolves format "auto": the content type first, then the
// bytes (each reader's sniff, in sniffOrder). A body that is no text at all
// (NUL bytes, invalid UTF-8) or whose content type is a known non-text type
// is an error naming both, never a wrong frame.
func sniffFormat(contentType string, body []byte) (*formatReader, *Error) {
	bySniff := slices.SortedStableFunc(slices.Values(formatReaders), func(a, b *formatReader) int { return a.sniffOrder - b.sniffOrder })
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		for _, r := range bySniff {
			if r.mediaType != nil && r.mediaType(mt) {
				return r, nil
			}
		}
		if unreadableType(mt) {
			return nil, unreadable(contentType, body)
		}
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\uFEFF")), " \t\r\n")
	if len(trimmed) == 0 {
		return formatReaderOf(FormatJSON), nil
	}
	head := trimmed[:min(len(trimmed), 4096)]
	textChecked := false
	for _, r := range bySniff {
		if r.sniff == nil {
			continue
		}
		if r.needsText && !textChecked {
			if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head[:validPrefix(head)]) {
				return nil, unreadable(contentType, body)
			}
			textChecked = true
		}
		if r.sniff(trimmed, head) {
			return r, nil
		}
	}
	return nil, unreadable(contentType, body)
}

func unreadable(contentType string, body []byte) *Error {
	ct := contentType
	if ct == "" {
		ct = "(none)"
	}
	return inputError("format \"auto\" cannot read this response: Content-Type %s, starts with %s; set the pipeline's format (%s) if it is one of them",
		shortQuote(ct), excerpt(body), readerNames())
}

// readTable reads one body in the pipeline's format.
func readTable(ctx context.Context, format, contentType string, body []byte, p *Pipeline, lim Limits, ns *notices) (*table, error) {
	r, err := resolveFormat(format, contentType, body)
	if err != nil {
		return nil, err
	}
	if !r.readsBlank && isBlank(body) {
		ns.info("the response body is empty; no rows")
		return readRows(ctx, &jsonSource{}, p, lim, ns)
	}
	if r.one != nil {
		return r.one(ctx, body, p, lim, ns)
	}
	pg, perr := r.page(ctx, body, nil, p, lim, ns)
	if perr != nil {
		return nil, perr
	}
	return r.table(ctx, []pageRows{pg}, p, lim, ns)
}
