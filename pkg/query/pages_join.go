package query

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/transform"
)

// joiner concatenates the pages of a query before the transform runs once
// over all rows. JSON and NDJSON pages give the rows their root selects,
// joined into one JSON array; CSV pages are joined as CSV with the header row
// once. The joined body is bounded by transform.maxInputBytes and maxRows
// and charged to the caller's byte lease: pagination stops early (with a
// notice saying why) rather than failing on a limit.
type joiner struct {
	pipeline *transform.Pipeline
	kind     string // json | csv, decided by the first page
	maxBytes int64
	maxRows  int
	lease    *authz.Lease
	// objectRows: a root that selects an object is one row (forEach's
	// detail answers), not an error.
	objectRows bool

	buf     bytes.Buffer
	csvOut  *csv.Writer
	header  []string
	rows    int
	pages   int
	skipped int // NDJSON lines that are no JSON
	stopped string
}

func newJoiner(p *transform.Pipeline, maxBytes int64, maxRows int, lease *authz.Lease) *joiner {
	return &joiner{pipeline: p, maxBytes: maxBytes, maxRows: maxRows, lease: lease}
}

// pageFormat is the format of a page: the pipeline's, or for auto what the
// engine itself would detect (transform.DetectFormat). Only JSON, NDJSON and
// CSV pages can be joined (Parse refuses pagination for the markup formats).
func pageFormat(p *transform.Pipeline, contentType string, body []byte) (string, error) {
	switch p.Format {
	case transform.FormatCSV, transform.FormatNDJSON, transform.FormatJSON:
		return p.Format, nil
	case "":
		return transform.FormatJSON, nil
	}
	f, err := transform.DetectFormat(contentType, body)
	if err != nil {
		return "", apierr.Downstream(502, "invalid_input", "%s", err.Error())
	}
	switch f {
	case transform.FormatCSV, transform.FormatNDJSON, transform.FormatJSON:
		return f, nil
	}
	return "", apierr.Downstream(502, "invalid_pagination",
		"a page is %s (Content-Type %q); pagination joins JSON, NDJSON and CSV pages only", f, contentType)
}

// add appends a page's rows; name, when set, adds column name=label to
// each (list pagination). It returns the rows of this page.
func (j *joiner) add(pg *page, name, label string) (int, error) {
	format, err := pageFormat(j.pipeline, pg.ContentType, pg.Body)
	if err != nil {
		return 0, err
	}
	kind := "json"
	if format == transform.FormatCSV {
		kind = "csv"
	}
	if j.kind == "" {
		j.kind = kind
		if kind == "json" {
			j.buf.WriteByte('[')
		}
	} else if j.kind != kind {
		return 0, apierr.Downstream(502, "invalid_pagination", "page %d is %s, the first page was %s", j.pages+1, format, j.kind)
	}
	j.pages++
	before, rowsBefore := j.buf.Len(), j.rows
	var n int
	if kind == "csv" {
		n, err = j.addCSV(pg.Body, name, label)
	} else {
		n, err = j.addJSON(pg.Body, format, name, label)
	}
	if err != nil {
		return 0, err
	}
	if int64(j.buf.Len()+1) > j.maxBytes && before > 0 {
		// This page would take the joined rows past transform.maxInputBytes: it is left out and paging stops.
		j.buf.Truncate(before)
		j.rows, j.pages, n = rowsBefore, j.pages-1, 0
		j.stopped = fmt.Sprintf("the next page would take the rows past transform.maxInputBytes (%d bytes)", j.maxBytes)
		return 0, nil
	}
	if err := j.lease.Take(int64(j.buf.Len() - before)); err != nil {
		return 0, authz.BudgetError()
	}
	return n, nil
}

// full says whether the joined rows reached a limit; pagination stops there.
func (j *joiner) full() bool {
	switch {
	case j.stopped != "":
		return true
	case int64(j.buf.Len()) >= j.maxBytes:
		j.stopped = fmt.Sprintf("the pages reached transform.maxInputBytes (%d bytes)", j.maxBytes)
	}
	return j.stopped != ""
}

// rowsFull says whether a page's row is past transform.maxRows: it is
// dropped, and paging stops.
func (j *joiner) rowsFull() bool {
	if j.maxRows > 0 && j.rows >= j.maxRows {
		j.stopped = fmt.Sprintf("the pages reached transform.maxRows (%d rows)", j.maxRows)
		return true
	}
	return false
}

func (j *joiner) addJSON(body []byte, format, name, label string) (int, error) {
	root := j.pipeline.Root
	n := 0
	emit := func(v gjson.Result) {
		if j.rowsFull() {
			return
		}
		if j.rows > 0 {
			j.buf.WriteByte(',')
		}
		if name != "" && v.IsObject() {
			// Last, so it replaces a key of the row of the same name (the reader keeps the last).
			b, _ := json.Marshal(name)
			l, _ := json.Marshal(label)
			raw := strings.TrimRight(v.Raw, " \t\r\n")
			j.buf.WriteString(raw[:len(raw)-1])
			if strings.TrimSpace(raw[1:len(raw)-1]) != "" {
				j.buf.WriteByte(',')
			}
			j.buf.Write(b)
			j.buf.WriteByte(':')
			j.buf.Write(l)
			j.buf.WriteByte('}')
		} else {
			j.buf.WriteString(v.Raw)
		}
		j.rows++
		n++
	}
	rowsOf := func(doc gjson.Result, what string) error {
		list := doc
		if root != "" {
			list = doc.Get(root)
		}
		switch {
		case list.IsArray():
			list.ForEach(func(_, v gjson.Result) bool { emit(v); return true })
		case format == transform.FormatNDJSON && (!list.Exists() || list.Type == gjson.Null):
			// a line without the root has no rows, as the NDJSON reader does
		case format == transform.FormatNDJSON, j.objectRows && list.IsObject():
			emit(list)
		default:
			return apierr.BadRequest("invalid_pagination",
				"page %d%s: the pipeline root %q does not select an array, which pagination needs", j.pages, what, root)
		}
		return nil
	}
	if format != transform.FormatNDJSON {
		if !gjson.ValidBytes(body) {
			return 0, apierr.Downstream(502, "invalid_input", "page %d is not valid JSON", j.pages)
		}
		return n, rowsOf(gjson.ParseBytes(body), "")
	}
	for line := range bytes.SplitSeq(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !gjson.ValidBytes(line) {
			j.skipped++
			continue
		}
		if err := rowsOf(gjson.ParseBytes(line), ""); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (j *joiner) addCSV(body []byte, name, label string) (int, error) {
	opts := j.pipeline.CSV
	rd := csv.NewReader(bytes.NewReader(body))
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	header := opts == nil || opts.Header == nil || *opts.Header
	if j.csvOut == nil {
		j.csvOut = csv.NewWriter(&j.buf)
	}
	if opts != nil && opts.Delimiter != "" {
		rd.Comma = []rune(opts.Delimiter)[0]
		j.csvOut.Comma = rd.Comma
	}
	if opts != nil && opts.Comment != "" {
		rd.Comment = []rune(opts.Comment)[0]
	}
	n := 0
	for first := true; ; first = false {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, apierr.Downstream(502, "invalid_input", "page %d is not valid CSV: %s", j.pages, err)
		}
		if first && header {
			if j.header == nil {
				j.header = append([]string(nil), rec...)
				if name != "" {
					rec = append(rec, name)
				}
				_ = j.csvOut.Write(rec)
			}
			continue // the header row once
		}
		if j.rowsFull() {
			break
		}
		if name != "" {
			rec = append(rec, label)
		}
		_ = j.csvOut.Write(rec)
		j.rows++
		n++
	}
	j.csvOut.Flush()
	return n, nil
}

func (j *joiner) body() []byte {
	if j.kind == "csv" {
		return j.buf.Bytes()
	}
	if j.kind == "" {
		return []byte("[]")
	}
	return append(j.buf.Bytes(), ']')
}

// root and format of the joined body: JSON rows are already selected.
func (j *joiner) root() string {
	return ""
}

func (j *joiner) format() string {
	if j.kind == "csv" {
		return transform.FormatCSV
	}
	return transform.FormatJSON
}

func (j *joiner) notices() []data.Notice {
	var out []data.Notice
	if j.stopped != "" {
		out = append(out, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("stopped after %d pages: %s; more data exists", j.pages, j.stopped)})
	}
	if j.skipped > 0 {
		out = append(out, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("%d NDJSON lines of the pages are not JSON and were skipped", j.skipped)})
	}
	return out
}
