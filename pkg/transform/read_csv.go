package transform

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvOptions are CSVOptions with defaults applied.
type csvOptions struct {
	comma   rune
	comment rune
	header  bool
}

func (o *CSVOptions) resolved() csvOptions {
	r := csvOptions{comma: ',', header: true}
	if o == nil {
		return r
	}
	if o.Delimiter != "" {
		r.comma, _ = utf8.DecodeRuneInString(o.Delimiter)
	}
	if o.Comment != "" {
		r.comment, _ = utf8.DecodeRuneInString(o.Comment)
	}
	if o.Header != nil {
		r.header = *o.Header
	}
	return r
}

// csvEach calls onHeader with the header record (when the options say there
// is one) and fn for every data record, stopping at the first error. Records
// are reused between calls (ReuseRecord), so fn must copy what it keeps —
// colBuilder does.
func csvEach(ctx context.Context, body []byte, o csvOptions, maxRows int, sample bool, onHeader func([]string) error, fn func(i int, rec []string) error) (int, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma, r.Comment = o.comma, o.comment
	r.FieldsPerRecord = -1 // ragged rows: missing cells are nulls
	r.ReuseRecord = true
	needHeader := o.header
	for n := 0; ; {
		rec, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return n, inputError("invalid CSV: line %d, column %d: %s", pe.Line, pe.Column, pe.Err)
			}
			return n, inputError("invalid CSV: %s", err)
		}
		if needHeader {
			needHeader = false
			header := make([]string, len(rec))
			for j, h := range rec {
				header[j] = strings.Clone(strings.TrimSpace(h))
			}
			if onHeader != nil {
				if err := onHeader(header); err != nil {
					return n, err
				}
			}
			continue
		}
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return n, AsError(err)
			}
		}
		if n >= maxRows {
			if sample {
				return n, nil
			}
			return n, tooManyRows(maxRows)
		}
		if err := fn(n, rec); err != nil {
			return n, err
		}
		n++
	}
}

// readCSV reads a CSV body. Cells are text: an empty cell is null, and
// inference types a column number, boolean or time only when every non-empty
// cell parses as one (otherwise string; no notice, since text is CSV's nature).
func readCSV(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) (*table, error) {
	return readCSVRows(ctx, body, p, lim, ns, false)
}

// readCSVSample reads at most lim.MaxRows rows, silently ignoring the rest.
func readCSVSample(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices) (*table, error) {
	return readCSVRows(ctx, body, p, lim, ns, true)
}

// readCSVRows does the work of readCSV: columns are set up from the header
// (or the first record's width), cells are routed to columns by position, and
// columns whose inferred type changed are read again.
func readCSVRows(ctx context.Context, body []byte, p *Pipeline, lim Limits, ns *notices, sample bool) (*table, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF")) // spreadsheet exports often start with a BOM
	o := p.CSV.resolved()
	hint := min(bytes.Count(body, []byte{'\n'})+1, lim.MaxRows)
	if !utf8.ValidRune(o.comma) || o.comma == o.comment {
		return nil, pipelineError(verr("csv.delimiter", "invalid delimiter"))
	}

	var tb *tableBuilder
	var slots [][]int // record index → columns fed from it
	var extra int     // data cells beyond the header
	setup := func(header []string, width int) error {
		names := csvNames(header, width)
		cols := len(p.Columns)
		if cols == 0 {
			cols = len(names)
		}
		if err := checkSize(lim, hint, cols); err != nil {
			return err
		}
		if len(p.Columns) == 0 {
			tb = &tableBuilder{lim: lim, hint: hint, text: &textBudget{left: textBudgetFactor * lim.MaxInputBytes}}
			for _, name := range names {
				b := tb.newCol(name)
				b.key = name
				tb.cols = append(tb.cols, b)
			}
		} else {
			tb = newTableBuilder(p, hint, lim, true)
		}
		slots = make([][]int, len(names))
		for ci, b := range tb.cols {
			found := false
			for j, name := range names {
				if name == b.key {
					slots[j] = append(slots[j], ci)
					found = true
					break
				}
			}
			if !found {
				ns.warn("column %q: no CSV column named %q; all values are null", b.name, b.key)
			}
		}
		return nil
	}
	row := func(i int, rec []string) error {
		if tb == nil { // headerless: the first record gives the width
			if err := setup(nil, len(rec)); err != nil {
				return err
			}
		}
		if len(rec) > len(slots) {
			extra++
		}
		if err := tb.chargeCells(len(tb.cols)); err != nil {
			return err
		}
		for j := 0; j < len(rec) && j < len(slots); j++ {
			for _, ci := range slots[j] {
				tb.cols[ci].putText(i, rec[j])
			}
		}
		if tb.text.left < 0 {
			return textTooLarge(lim)
		}
		return nil
	}
	n, err := csvEach(ctx, body, o, lim.MaxRows, sample, func(h []string) error { return setup(h, len(h)) }, row)
	if err != nil {
		return nil, err
	}
	if tb == nil { // empty body
		if err := setup(nil, 0); err != nil {
			return nil, err
		}
	}
	if extra > 0 {
		ns.warn("%d CSV %s had more cells than columns; the extra cells were ignored", extra, plural(extra, "record", "records"))
	}
	if again := tb.resolve(ns, false); len(again) > 0 {
		if err := rereadCSV(ctx, body, o, lim.MaxRows, sample, tb, again, slots); err != nil {
			return nil, err
		}
	}
	return tb.finish(n, ns), nil
}

// rereadCSV reads the columns again whose inferred type changed while reading.
func rereadCSV(ctx context.Context, body []byte, o csvOptions, maxRows int, sample bool, tb *tableBuilder, again []int, slots [][]int) error {
	rb := tb.rereadBuilder(again)
	pos := map[*colBuilder]int{}
	for j, b := range rb.cols {
		pos[b] = j
	}
	reslots := make([][]int, len(slots))
	for j, cis := range slots {
		for _, ci := range cis {
			if k, ok := pos[tb.cols[ci]]; ok {
				reslots[j] = append(reslots[j], k)
			}
		}
	}
	_, err := csvEach(ctx, body, o, maxRows, sample, nil, func(i int, rec []string) error {
		for j := 0; j < len(rec) && j < len(reslots); j++ {
			for _, k := range reslots[j] {
				rb.cols[k].putText(i, rec[j])
			}
		}
		return nil
	})
	return err
}

// csvNames makes unique, non-empty column names: header cells (duplicates get
// a suffix, blanks a positional name), or col1..colN without a header.
func csvNames(header []string, width int) []string {
	names := make([]string, width)
	seen := map[string]bool{}
	for j := range names {
		name := ""
		if j < len(header) {
			name = header[j]
		}
		if name == "" {
			name = fmt.Sprintf("col%d", j+1)
		}
		base := name
		for k := 2; seen[name]; k++ {
			name = fmt.Sprintf("%s_%d", base, k)
		}
		seen[name] = true
		names[j] = name
	}
	return names
}
