package transform

import (
	"context"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// Format "ndjson": one JSON document per line, the root applied to each
// (read_ndjson.go).
func init() {
	registerFormat(&formatReader{
		name:  FormatNDJSON,
		order: 20,
		mediaType: func(mt string) bool {
			switch mt {
			case "application/x-ndjson", "application/ndjson", "application/jsonl",
				"application/x-jsonlines", "application/jsonlines", "application/json-seq":
				return true
			}
			return false
		},
		// After json: a body that is not one document but whose first line is.
		sniff: func(trimmed, _ []byte) bool {
			c := trimmed[0]
			return (c == '{' || c == '[') && jsonscan.Validate(firstJSONLine(trimmed)) == nil
		},
		sniffOrder:   20,
		checkRoot:    func(root string) *ValidationError { return checkPathAt("root", root) },
		gjsonColumns: true,
		one: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) (*table, error) {
			return readRows(ctx, newNDJSONSource(body, p.Root, lim, ns), p, lim, ns)
		},
		// A page's rows are counted by reading it once (which also reports
		// its invalid lines); the table reads it again.
		page: func(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices) (pageRows, error) {
			src := newNDJSONSource(body, p.Root, lim, ns)
			n, err := src.each(ctx, func(int, gjson.Result) bool { return true })
			if err != nil {
				return nil, err
			}
			return &sourcePage{src: src, n: n, label: label}, nil
		},
		table: rowsTable,
		schema: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error) {
			return sampleFields(ctx, newNDJSONSource(body, p.Root, lim, ns), lim, false)
		},
	})
}
