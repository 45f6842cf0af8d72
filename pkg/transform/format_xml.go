package transform

import "context"

// Format "xml": the document streamed, each element the root path selects
// a row converted to a JSON object (read_xml.go, xml_*.go); typed columns of
// short selectors are read straight into the columns (read_xml_columns.go).
func init() {
	registerFormat(&formatReader{
		name:  FormatXML,
		order: 40,
		mediaType: func(mt string) bool {
			return mt == "application/xml" || mt == "text/xml" || len(mt) > 4 && mt[len(mt)-4:] == "+xml"
		},
		// After html: other markup.
		sniff:      func(trimmed, _ []byte) bool { return trimmed[0] == '<' },
		sniffOrder: 40,
		needsText:  true,
		checkRoot: func(root string) *ValidationError {
			_, err := parseXMLPath(root)
			return err
		},
		gjsonColumns: true,
		one: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) (*table, error) {
			if sels, ok := directXMLColumns(p); ok {
				return readXMLColumns(ctx, trimBOM(body), p, sels, lim, ns)
			}
			src, err := readXMLRows(ctx, trimBOM(body), p.Root, lim, false)
			if err != nil {
				return nil, err
			}
			return readRows(ctx, src, p, lim, ns)
		},
		page: func(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices) (pageRows, error) {
			src, err := readXMLRows(ctx, trimBOM(body), p.Root, lim, false)
			if err != nil {
				return nil, err
			}
			return &sourcePage{src: src, n: src.n, label: label}, nil
		},
		table: rowsTable,
		schema: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error) {
			src, err := readXMLRows(ctx, trimBOM(body), p.Root, lim, true)
			if err != nil {
				return nil, err
			}
			return sampleFields(ctx, src, lim, true)
		},
		roots: xmlRoots,
	})
}
