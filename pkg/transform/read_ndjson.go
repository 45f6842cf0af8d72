package transform

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// ndjsonSource is newline-delimited JSON: each non-blank line is a JSON
// document, and Root applies to each line like to a whole JSON body (an array
// gives one row per element, anything else one row).
//
// A line that is not valid JSON is skipped and reported in a notice, not an
// error: log-style streams often end in a truncated line, and one bad record
// should not hide all the others.
type ndjsonSource struct {
	body    []byte
	root    string
	n       int
	maxRows int
	lim     Limits

	ns          *notices // set for the first pass only, so notices are not doubled
	badLines    int
	firstBad    int
	firstBadErr string
}

func newNDJSONSource(body []byte, root string, lim Limits, ns *notices) *ndjsonSource {
	return &ndjsonSource{
		body: body, root: root, maxRows: lim.MaxRows, ns: ns, lim: lim,
		n: min(bytes.Count(body, []byte{'\n'})+1, lim.MaxRows),
	}
}

func (s *ndjsonSource) hint() int { return s.n }

func (s *ndjsonSource) each(ctx context.Context, fn func(int, gjson.Result) bool) (int, error) {
	i, line := 0, 0
	stop := false
	var err error
	emit := func(row gjson.Result) {
		if i%ctxCheckEvery == 0 {
			if err = ctx.Err(); err != nil {
				stop = true
				return
			}
		}
		if i >= s.maxRows {
			err = tooManyRows(s.maxRows)
			stop = true
			return
		}
		if !fn(i, row) {
			stop = true
		}
		i++
	}
	for rest := s.body; len(rest) > 0 && !stop; {
		var ln []byte
		if j := bytes.IndexByte(rest, '\n'); j >= 0 {
			ln, rest = rest[:j], rest[j+1:]
		} else {
			ln, rest = rest, nil
		}
		line++
		// JSON text sequences (RFC 7464) prefix each record with RS.
		ln = bytes.TrimSpace(bytes.TrimLeft(ln, "\x1e"))
		if len(ln) == 0 {
			continue
		}
		if serr := jsonscan.Validate(ln); serr != nil {
			s.bad(line, serr.Error())
			continue
		}
		doc := bytesString(ln)
		v := gjson.Parse(doc)
		if s.root != "" {
			var rerr *Error
			if v, rerr = getRoot(doc, s.root, s.lim); rerr != nil {
				err = rerr
				break
			}
		}
		switch {
		case v.IsArray():
			v.ForEach(func(_, row gjson.Result) bool {
				emit(row)
				return !stop
			})
		case v.Exists() && v.Type != gjson.Null:
			emit(v)
		}
	}
	if s.ns != nil && s.badLines > 0 {
		first, firstErr := s.firstBad, s.firstBadErr
		s.ns.count("ndjson-skipped", s.badLines, func(total int) string {
			return fmt.Sprintf("skipped %d invalid NDJSON %s (first: line %d: %s)", total, plural(total, "line", "lines"), first, firstErr)
		})
	}
	s.ns = nil
	if err != nil {
		return i, AsError(err)
	}
	return i, nil
}

func (s *ndjsonSource) bad(line int, msg string) {
	if s.ns == nil {
		return
	}
	if s.badLines == 0 {
		s.firstBad, s.firstBadErr = line, msg
	}
	s.badLines++
}
