package transform

import "context"

// Format "html": rows selected by a CSS selector (default the first
// table's), cells as text (read_html*.go, html_grid.go).
func init() {
	registerFormat(&formatReader{
		name:  FormatHTML,
		order: 50,
		mediaType: func(mt string) bool {
			return mt == "text/html" || mt == "application/xhtml+xml"
		},
		// Before xml: "<" and a doctype, <html>, <table>, … (looksHTML).
		sniff:      func(trimmed, head []byte) bool { return trimmed[0] == '<' && looksHTML(head) },
		sniffOrder: 30,
		needsText:  true,
		checkRoot: func(root string) *ValidationError {
			_, err := parseHTMLRoot(root)
			return err
		},
		// A column selector may be a header name ("Uptime %"), so only one
		// that parses is used as CSS; there is nothing to refuse up front.
		gjsonColumns: false,
		page: func(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices) (pageRows, error) {
			return htmlPage(ctx, trimBOM(body), label, p, lim, ns, false)
		},
		table: recordsTable,
		schema: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error) {
			return htmlSchema(ctx, trimBOM(body), p, lim, ns)
		},
		roots: htmlRoots,
	})
}
