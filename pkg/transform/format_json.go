package transform

import (
	"bytes"
	"context"
	"math"
	"strings"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// Format "json": one JSON document; the root (a gjson path, or a jq program
// with rootSyntax "jq") selects the rows (read_json.go, read_jq_root.go).
func init() {
	registerFormat(&formatReader{
		name:  FormatJSON,
		order: 10,
		mediaType: func(mt string) bool {
			return mt == "application/json" || strings.HasSuffix(mt, "+json")
		},
		// One valid document is JSON; so is text that starts like JSON but
		// whose first line is no document either (reported as invalid JSON,
		// the likelier intent). An empty body is JSON too (no rows).
		sniff: func(trimmed, _ []byte) bool {
			if c := trimmed[0]; c != '{' && c != '[' {
				return false
			}
			return jsonscan.Validate(trimmed) == nil || jsonscan.Validate(firstJSONLine(trimmed)) != nil
		},
		sniffOrder:   10,
		checkRoot:    func(root string) *ValidationError { return checkPathAt("root", root) },
		gjsonColumns: true,
		jqRoot:       true,
		page: func(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices) (pageRows, error) {
			src, err := jsonRows(ctx, trimBOM(body), p, lim, ns)
			if err != nil {
				return nil, err
			}
			return &sourcePage{src: src, n: src.n, label: label}, nil
		},
		table: rowsTable,
		schema: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error) {
			// The source may hold any number of rows; only the sample is read.
			all := unsampled(lim)
			if p.RootSyntax == RootSyntaxJQ {
				all = Limits{MaxRows: math.MaxInt32}.withDefaults()
			}
			src, err := jsonRows(ctx, trimBOM(body), p, all, ns)
			if err != nil {
				return nil, err
			}
			src.maxRows = lim.MaxRows
			return sampleFields(ctx, src, lim, false)
		},
	})
}

// jsonRows is the rows of a JSON document: selected by the gjson root, or
// yielded by the jq root.
func jsonRows(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) (*jsonSource, error) {
	if p.RootSyntax == RootSyntaxJQ {
		return jqRootSource(ctx, body, p.Root, lim, ns)
	}
	return newJSONSource(body, p.Root, lim, ns)
}

// firstJSONLine is b up to its first newline, without surrounding white space.
func firstJSONLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimSpace(b)
}
