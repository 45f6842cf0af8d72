package transform

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/tidwall/gjson"
)

// Page is one upstream answer of a paginated query.
type Page struct {
	Body            []byte
	ContentType     string // for format "auto"
	ContentEncoding string // "gzip" is decoded
	// Label is the value this page was fetched for (list pagination): every
	// row of the page gets it in the label column NewPages names.
	Label string
}

// Pages are the pages of one Run, each read by its format's reader as it
// arrives (so the caller knows the rows of each page, which offset and page
// pagination go by) and kept parsed until Run builds one table from all of
// them and runs the steps once. The pages together are bounded like one
// body: MaxInputBytes (decoded) and MaxRows; a page that would pass a limit
// is left out, or cut at MaxRows, and Stopped says why paging must stop.
// What the readers build is charged to Limits.Memory as they build it.
// Pages are not safe for concurrent use.
type Pages struct {
	pr      *Program
	lim     Limits
	label   string
	ns      notices
	reader  *formatReader
	read    []pageRows
	pages   int
	rows    int
	bytes   int64
	stopped string
}

// NewPages starts the pages of a Run of pr within lim (the limits Run gets
// too). labelColumn, when set, is the column each page's Label goes in.
func (pr *Program) NewPages(lim Limits, labelColumn string) *Pages {
	return &Pages{pr: pr, lim: lim.withDefaults(), label: labelColumn}
}

// Add reads a page and returns its rows (after a cut at MaxRows). Once
// Stopped is set, pages are no longer read. Errors are *Error: a page that
// is not valid in the pipeline's format, or of another format than the
// first page (format "auto").
func (ps *Pages) Add(ctx context.Context, pg Page) (int, error) {
	if ps.stopped != "" {
		return 0, nil
	}
	lim := ps.lim
	body, err := decodeBody(ctx, Input{Body: pg.Body, ContentEncoding: pg.ContentEncoding}, lim)
	if err != nil {
		return 0, err
	}
	if ps.pages > 0 && ps.bytes+int64(len(body)) > lim.MaxInputBytes {
		ps.stopped = fmt.Sprintf("the next page would take the pages past transform.maxInputBytes (%d bytes)", lim.MaxInputBytes)
		return 0, nil
	}
	r, ferr := resolveFormat(ps.pr.p.Format, pg.ContentType, body)
	if ferr != nil {
		return 0, ferr
	}
	ps.pages++
	ps.bytes += int64(len(body))
	if !r.readsBlank && isBlank(body) {
		return 0, nil // no rows, and no format to hold the other pages to
	}
	if ps.reader == nil {
		ps.reader = r
	} else if r != ps.reader {
		return 0, inputError("page %d is %s, the first page was %s", ps.pages, r.name, ps.reader.name)
	}
	var label *pageLabel
	if ps.label != "" {
		label = &pageLabel{name: ps.label, value: pg.Label}
	}
	// A page is read whole whatever its rows; the pages' rows are cut at MaxRows.
	pageLim := lim
	pageLim.MaxRows = math.MaxInt32
	rows, err := r.page(ctx, body, label, &ps.pr.p, pageLim, &ps.ns)
	if err != nil {
		return 0, err
	}
	if ps.rows+rows.count() > lim.MaxRows {
		rows.keep(lim.MaxRows - ps.rows)
		ps.stopped = fmt.Sprintf("the pages reached transform.maxRows (%d rows)", lim.MaxRows)
	}
	n := rows.count()
	ps.read = append(ps.read, rows)
	ps.rows += n
	if ps.stopped == "" && ps.bytes >= lim.MaxInputBytes {
		ps.stopped = fmt.Sprintf("the pages reached transform.maxInputBytes (%d bytes)", lim.MaxInputBytes)
	}
	return n, nil
}

// Stopped is why paging must stop ("" while pages may follow).
func (ps *Pages) Stopped() string { return ps.stopped }

// Len is the number of pages read (a page a limit left out is not).
func (ps *Pages) Len() int { return ps.pages }

// table builds the table of every page for Run.
func (ps *Pages) table(ctx context.Context, pr *Program, lim Limits) (*table, *notices, error) {
	if ps.pr != pr {
		return nil, nil, &Error{Code: CodeInternal, Message: "internal error in transformation", err: fmt.Errorf("pages of another program")}
	}
	if ps.reader == nil {
		ps.ns.info("the pages are empty; no rows")
		t, err := readRows(ctx, &jsonSource{}, &pr.p, lim, &ps.ns)
		return t, &ps.ns, err
	}
	t, err := ps.reader.table(ctx, ps.read, &pr.p, lim, &ps.ns)
	return t, &ps.ns, err
}

// sourcePage is a page of JSON rows (json, ndjson, xml).
type sourcePage struct {
	src   rowSource
	n     int // rows the source yields, or fewer (keep)
	label *pageLabel
}

func (s *sourcePage) count() int { return s.n }
func (s *sourcePage) keep(n int) { s.n = min(s.n, n) }

// rowsTable reads the rows of every page as one source, so inference sees
// them all as it would one body's.
func rowsTable(ctx context.Context, pages []pageRows, p *Pipeline, lim Limits, ns *notices) (*table, error) {
	if len(pages) == 1 {
		if sp := pages[0].(*sourcePage); sp.label == nil && sp.n == sp.src.hint() {
			return readRows(ctx, sp.src, p, lim, ns)
		}
	}
	ms := &pagesSource{}
	for _, pg := range pages {
		sp := pg.(*sourcePage)
		ms.pages = append(ms.pages, sp)
		ms.n += sp.n
		if js, ok := sp.src.(*jsonSource); ok && js.textual {
			ms.textual = true
		}
	}
	return readRows(ctx, ms, p, lim, ns)
}

// pagesSource is the rows of several pages in order, each cut at its n and
// labelled when list pagination fetched it.
type pagesSource struct {
	pages   []*sourcePage
	n       int
	textual bool
}

func (s *pagesSource) hint() int { return s.n }

func (s *pagesSource) each(ctx context.Context, fn func(int, gjson.Result) bool) (int, error) {
	base := 0
	for _, pg := range s.pages {
		stop := false
		_, err := pg.src.each(ctx, func(i int, row gjson.Result) bool {
			if i >= pg.n {
				return false
			}
			if pg.label != nil {
				row = labelRow(row, pg.label)
			}
			if !fn(base+i, row) {
				stop = true
				return false
			}
			return true
		})
		if err != nil {
			return base, err
		}
		if stop {
			return base, nil
		}
		base += pg.n
	}
	return base, nil
}

// labelRow adds the label to an object row, last, so it replaces a key of
// the same name for the reader (which keeps the last); other rows stay.
func labelRow(row gjson.Result, l *pageLabel) gjson.Result {
	if !row.IsObject() {
		return row
	}
	raw := row.Raw
	end := len(raw) - 1
	for end > 0 && raw[end] != '}' {
		end--
	}
	b := make([]byte, 0, len(raw)+len(l.name)+len(l.value)+8)
	b = append(b, raw[:end]...)
	if strings.TrimSpace(raw[1:end]) != "" {
		b = append(b, ',')
	}
	b = appendJSONStringBody(append(b, '"'), l.name)
	b = append(b, `":"`...)
	b = appendJSONStringBody(b, l.value)
	b = append(b, `"}`...)
	return gjson.Parse(bytesString(b))
}
