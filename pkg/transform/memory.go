package transform

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"golang.org/x/net/html"
)

// Budget is the memory a caller may hold (the query runner's in-flight byte
// lease, pkg/authz): the structures a Run builds from the input are charged
// to it as they grow, not only the raw input bytes, so a small input that
// parses into a large tree (an HTML page, colspan grids, a gzip bomb) stops
// at the caller's budget instead of reaching memory first. Take fails when
// the budget is full; what was taken is returned by the budget's owner when
// the call ends.
type Budget interface {
	Take(n int64) error
}

// Estimated heap per unit of what is built, measured on x/net/html and the
// grid builder (bench/transform/peak.go): charged ahead of the allocation.
const (
	htmlDOMBytesPerInputByte = 48 // html.Parse: nodes, attributes and text
	gridCellBytes            = 40 // a cell's string header in the grid and its column value
	tableCellBytes           = 40 // a cell's column value, its frame value and its share of the answer (bench/memory: 8 M CSV cells, 320 MB)
	meterChunk               = 1 << 20
)

// charge takes n bytes from lim.Memory; nil charges nothing.
func (l Limits) charge(n int64) *Error {
	if l.Memory == nil || n <= 0 {
		return nil
	}
	if err := l.Memory.Take(n); err != nil {
		return memoryError(err)
	}
	return nil
}

// memoryError is the error of a full memory budget; it wraps the budget's
// own error so the caller can tell "busy" from "never fits".
func memoryError(cause error) *Error {
	return &Error{Code: CodeMemoryBudget, err: cause,
		Message: fmt.Sprintf("this transformation needs more memory than the caller's share allows (%s)", cause)}
}

// meter charges many small allocations in chunks of meterChunk.
type meter struct {
	lim     Limits
	pending int64
}

func (m *meter) add(n int64) *Error {
	if m.pending += n; m.pending < meterChunk {
		return nil
	}
	n, m.pending = m.pending, 0
	return m.lim.charge(n)
}

// chargeReader charges perByte bytes of lim's budget for every byte read,
// ahead of the data, in chunks: the HTML parser allocates its tree as it
// reads, so the tree is paid for as it grows.
type chargeReader struct {
	r       io.Reader
	lim     Limits
	perByte int64
	credit  int64
	err     *Error
}

func (c *chargeReader) Read(p []byte) (int, error) {
	if c.credit <= 0 {
		const step = 64 << 10
		if err := c.lim.charge(step * c.perByte); err != nil {
			c.err = err
			return 0, err
		}
		c.credit = step
	}
	if int64(len(p)) > c.credit {
		p = p[:c.credit]
	}
	n, err := c.r.Read(p)
	c.credit -= int64(n)
	return n, err
}

// parseHTMLCharged parses a page into a DOM, charging the tree to the
// budget as the parser reads.
func parseHTMLCharged(ctx context.Context, body []byte, lim Limits) (*html.Node, error) {
	cr := &chargeReader{r: bytes.NewReader(body), lim: lim, perByte: htmlDOMBytesPerInputByte}
	doc, err := html.ParseWithOptions(cr, html.ParseOptionEnableScripting(false))
	if cr.err != nil {
		return nil, cr.err
	}
	if err != nil {
		return nil, inputError("invalid HTML: %s", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	return doc, nil
}
