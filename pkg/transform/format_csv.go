package transform

import (
	"bytes"
	"context"
	"strings"
	"unicode/utf8"
)

// Format "csv": a header row (unless csv.header is false) and records, cells
// as text (read_csv.go). Any text the other formats do not claim is CSV.
func init() {
	registerFormat(&formatReader{
		name:  FormatCSV,
		order: 30,
		mediaType: func(mt string) bool {
			return mt == "text/csv" || mt == "application/csv"
		},
		sniff:      func(_, _ []byte) bool { return true },
		sniffOrder: 90,
		needsText:  true,
		csvOptions: true,
		readsBlank: true,
		one:        readCSV,
		page:       csvPage,
		table:      recordsTable,
		schema: func(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) ([]FieldInfo, error) {
			t, err := readCSVSample(ctx, body, p, lim, ns)
			if err != nil {
				return nil, err
			}
			return t.fieldInfo(), nil
		},
	})
}

// csvPage reads a page's records (pagination): inferred columns keep the
// cells by position under the page's header names, explicit ones the cell
// of their header name. The records are charged to lim.Memory.
func csvPage(ctx context.Context, body []byte, label *pageLabel, p *Pipeline, lim Limits, ns *notices) (pageRows, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	o := p.CSV.resolved()
	if !utf8.ValidRune(o.comma) || o.comma == o.comment {
		return nil, pipelineError(verr("csv.delimiter", "invalid delimiter"))
	}
	var header []string
	width := 0
	var recs [][]string
	m := &meter{lim: lim}
	_, err := csvEach(ctx, body, o, lim.MaxRows, false, func(h []string) error { header = h; return nil }, func(_ int, rec []string) error {
		own := make([]string, len(rec))
		size := int64(24 * len(rec))
		for j, c := range rec {
			own[j] = strings.Clone(c)
			size += int64(len(c))
		}
		width = max(width, len(rec))
		recs = append(recs, own)
		if err := m.add(size); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if header != nil {
		width = len(header)
	}
	names := csvNames(header, width)
	if len(p.Columns) == 0 {
		return newRecordPage(names, recs, label), nil
	}
	// Explicit columns read the cell of their header name (csvNames: a
	// duplicate header is name_2, a missing one colN).
	pos := make([]int, len(p.Columns))
	for j, c := range p.Columns {
		key := c.Selector
		if key == "" {
			key = c.Name
		}
		pos[j] = -1
		for k, name := range names {
			if name == key {
				pos[j] = k
				break
			}
		}
		if pos[j] < 0 && (label == nil || key != label.name) {
			ns.warn("column %q: no CSV column named %q; all values are null", c.Name, key)
		}
	}
	for i, rec := range recs {
		out := make([]string, len(pos))
		for j, k := range pos {
			if k >= 0 && k < len(rec) {
				out[j] = rec[k]
			}
		}
		recs[i] = out
	}
	return explicitRecordPage(recs, p, label), nil
}
