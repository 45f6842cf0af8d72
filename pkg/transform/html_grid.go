package transform

// The text grid of an HTML table: cells from the DOM's rows, spans expanded,
// text collapsed as a browser shows it.

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

type pendingSpan struct {
	text string
	left int // rows still covered
}

// grid builds the text grid of the rows, expanding spans; the first row of
// only <th> cells becomes the header, later ones are skipped (long tables
// repeat their header). More than MaxRows data rows is an error, or the
// end when sampling; so is a grid of more than MaxCells cells (spans repeat
// a cell up to 1,000 times across and down, so the page's size alone does
// not bound it).
func (d *htmlDoc) grid(rows []htmlRow, lim Limits, sample bool) *Error {
	var pending []pendingSpan
	d.recs = [][]string{}
	maxRows := lim.MaxRows
	var cells int64
	m := &meter{lim: lim}
	for ri, row := range rows {
		rec := make([]string, 0, len(row.cells))
		allTH := row.anyCell
		col := 0
		fill := func() { // cells carried down by rowspans at the current position
			for col < len(pending) && pending[col].left > 0 {
				rec = append(rec, pending[col].text)
				pending[col].left--
				col++
			}
		}
		for _, c := range row.cells {
			allTH = allTH && c.th
			fill()
			for k := 0; k < c.colspan && col < htmlMaxSpan; k++ {
				rec = append(rec, c.text)
				for len(pending) <= col {
					pending = append(pending, pendingSpan{})
				}
				pending[col] = pendingSpan{text: c.text, left: c.rowspan - 1}
				col++
			}
		}
		fill()
		if !row.anyCell {
			rec = []string{row.text}
		}
		if allTH {
			if d.header == nil && len(d.recs) == 0 {
				d.header = rec
				d.width = max(d.width, len(rec))
			}
			continue
		}
		if len(d.recs) >= maxRows {
			if sample {
				return nil
			}
			return tooManyRows(maxRows)
		}
		if cells += int64(len(rec)); cells > lim.MaxCells {
			return tooManyCells(lim.MaxCells)
		}
		if err := m.add(int64(len(rec))*gridCellBytes + 24); err != nil {
			return err
		}
		d.recs = append(d.recs, rec)
		d.data = append(d.data, ri)
		d.width = max(d.width, len(rec))
	}
	return nil
}

func spanAttr(n *html.Node, name string) int {
	for _, a := range n.Attr {
		if a.Key == name {
			return spanValue(a.Val)
		}
	}
	return 1
}

// nodeText is the element's text, white space collapsed and trimmed; <br>
// separates, <script> and <style> are not text.
func nodeText(n *html.Node) string {
	var sb strings.Builder
	space := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				for _, r := range c.Data {
					if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\u00a0' {
						space = sb.Len() > 0
						continue
					}
					if space {
						sb.WriteByte(' ')
						space = false
					}
					sb.WriteRune(r)
				}
			case html.ElementNode:
				switch c.DataAtom {
				case atom.Script, atom.Style, atom.Template:
					continue
				case atom.Br:
					space = sb.Len() > 0
					continue
				}
				walk(c)
			}
		}
	}
	walk(n)
	return sb.String()
}

func attrOf(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}
