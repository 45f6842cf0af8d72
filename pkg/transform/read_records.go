package transform

import (
	"context"
	"slices"
)

// recordPage is a page of text records (CSV, HTML): with inferred columns,
// names and cells by position; with explicit ones, one cell per column.
type recordPage struct {
	names []string // inferred columns only
	recs  [][]string
}

func (r *recordPage) count() int { return len(r.recs) }
func (r *recordPage) keep(n int) { r.recs = r.recs[:min(n, len(r.recs))] }

// newRecordPage is a page of inferred columns. The label column (list
// pagination) is the last one, or replaces a column of its name.
func newRecordPage(names []string, recs [][]string, label *pageLabel) *recordPage {
	if label == nil {
		return &recordPage{names: names, recs: recs}
	}
	at := slices.Index(names, label.name)
	if at < 0 {
		at = len(names)
		names = append(slices.Clip(names), label.name)
	}
	for i, rec := range recs {
		if len(rec) <= at {
			rec = append(rec, make([]string, at+1-len(rec))...)
		}
		rec[at] = label.value
		recs[i] = rec
	}
	return &recordPage{names: names, recs: recs}
}

// explicitRecordPage is a page of explicit columns: a column that reads the
// label column's name (its selector, or its name without one) reads the label.
func explicitRecordPage(recs [][]string, p *Pipeline, label *pageLabel) *recordPage {
	if label != nil {
		for j, c := range p.Columns {
			if c.Selector == label.name || c.Selector == "" && c.Name == label.name {
				for _, rec := range recs {
					rec[j] = label.value
				}
			}
		}
	}
	return &recordPage{recs: recs}
}

// recordsTable builds the table of record pages: inferred columns are named
// by the first page, later pages' cells go by position.
func recordsTable(ctx context.Context, pages []pageRows, p *Pipeline, lim Limits, ns *notices) (*table, error) {
	n := 0
	for _, pg := range pages {
		n += pg.count()
	}
	var tb *tableBuilder
	if len(p.Columns) == 0 {
		var names []string
		if len(pages) > 0 {
			names = pages[0].(*recordPage).names
		}
		if err := checkSize(lim, n, len(names)); err != nil {
			return nil, err
		}
		tb = &tableBuilder{lim: lim, hint: n, text: &textBudget{left: textBudgetFactor * lim.MaxInputBytes}}
		for _, name := range names {
			b := tb.newCol(name)
			b.key = name
			tb.cols = append(tb.cols, b)
		}
	} else {
		if err := checkSize(lim, n, len(p.Columns)); err != nil {
			return nil, err
		}
		tb = newTableBuilder(p, n, lim, true)
	}
	feed := func(b *tableBuilder, idx []int) error {
		i := 0
		for _, pg := range pages {
			for _, rec := range pg.(*recordPage).recs {
				if i%ctxCheckEvery == 0 && ctx.Err() != nil {
					return timeoutError(ctx.Err())
				}
				for k, ci := range idx {
					if ci < len(rec) {
						b.cols[k].putText(i, rec[ci])
					}
				}
				if b.text.left < 0 {
					return textTooLarge(lim)
				}
				i++
			}
		}
		return nil
	}
	all := make([]int, len(tb.cols))
	for j := range all {
		all[j] = j
	}
	if err := feed(tb, all); err != nil {
		return nil, err
	}
	if again := tb.resolve(ns, false); len(again) > 0 {
		if err := feed(tb.rereadBuilder(again), again); err != nil {
			return nil, err
		}
	}
	return tb.finish(n, ns), nil
}
