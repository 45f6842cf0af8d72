package transform

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The common case of format html — the rows of a table, found by "" (the
// first table), "table#id tr" or "table.class tr", with columns read by
// header name — needs no DOM: the token stream gives the cells in order.
// streamTable reads them with html.Tokenizer, without building the tree the
// HTML5 algorithm makes (most of html.Parse's cost), and gives the same rows
// as the DOM path. Pages where the tree could differ from the token order
// (nested tables, <template>, foreign content, <select>, <noscript>, NUL
// bytes) fall back to the DOM path, as do CSS selectors of any other form
// and columns that select with CSS or attributes.

// tableRoot is a root the stream can match on a <table> start tag.
type tableRoot struct {
	first   bool // "": the document's first table only
	id      string
	classes []string
}

var simpleTableRoot = regexp.MustCompile(`^\s*table((?:[#.][A-Za-z_][A-Za-z0-9_-]*)*)\s+tr\s*$`)

func parseTableRoot(root string) (tableRoot, bool) {
	if root == "" {
		return tableRoot{first: true}, true
	}
	m := simpleTableRoot.FindStringSubmatch(root)
	if m == nil {
		return tableRoot{}, false
	}
	var tr tableRoot
	for _, part := range regexp.MustCompile(`[#.][^#.]+`).FindAllString(m[1], -1) {
		if part[0] == '#' {
			if tr.id != "" {
				return tableRoot{}, false
			}
			tr.id = part[1:]
		} else {
			tr.classes = append(tr.classes, part[1:])
		}
	}
	return tr, true
}

func (tr tableRoot) matches(z *html.Tokenizer) bool {
	if tr.first {
		return true
	}
	id, class := "", ""
	seenID, seenClass := false, false
	eachAttr(z, func(k, v []byte) { // the first of duplicate attributes wins, as in the parser
		switch {
		case string(k) == "id" && !seenID:
			id, seenID = string(v), true
		case string(k) == "class" && !seenClass:
			class, seenClass = string(v), true
		}
	})
	if tr.id != "" && id != tr.id {
		return false
	}
	fields := strings.Fields(class)
	for _, c := range tr.classes {
		found := false
		for _, f := range fields {
			found = found || f == c
		}
		if !found {
			return false
		}
	}
	return true
}

// streamTable returns the rows of the matching tables, or ok=false when the
// page needs the DOM path.
func streamTable(ctx context.Context, body []byte, root tableRoot) (rows []htmlRow, ok bool, err *Error) {
	z := html.NewTokenizer(bytes.NewReader(body))
	inTable, found := false, false
	var row *htmlRow
	var cell htmlCell
	inCell := false
	var text []byte       // the open cell's text, collapsed
	var cellText strArena // the cells' strings, copied into large chunks instead of one allocation each
	space := false
	width := 4 // cells of the previous row: the next row's capacity
	skip := 0  // inside <script>/<style> in a cell: not text
	caption := false
	var nameBuf [16]byte
	closeCell := func() {
		if inCell {
			cell.text = cellText.copy(bytesString(text))
			row.cells = append(row.cells, cell)
			row.anyCell = true
			inCell = false
		}
	}
	closeRow := func() {
		closeCell()
		if row != nil {
			rows = append(rows, *row)
			width = max(len(row.cells), 1)
			row = nil
		}
	}
	openRow := func() {
		closeRow()
		row = &htmlRow{cells: make([]htmlCell, 0, width)}
	}
	for tokens := 0; ; tokens++ {
		if tokens%4096 == 0 && ctx.Err() != nil {
			return nil, false, timeoutError(ctx.Err())
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			closeRow()
			return rows, true, nil // io.EOF: the tokenizer has no other error on a bytes.Reader
		case html.TextToken:
			if !inCell || skip > 0 {
				continue
			}
			t := z.Text()
			if bytes.IndexByte(t, 0) >= 0 {
				return nil, false, nil // NUL: the parser and the tokenizer differ
			}
			text = appendCollapsed(text, t, &space)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			a := tagAtom(z, &nameBuf)
			switch a {
			case atom.Template, atom.Svg, atom.Math, atom.Select, atom.Noscript, atom.Plaintext, atom.Frameset:
				return nil, false, nil
			}
			end := tt == html.EndTagToken
			if !inTable {
				if a == atom.Table && !end {
					if root.first && found {
						return rows, true, nil
					}
					if root.matches(z) {
						inTable, found = true, true
					}
				}
				continue
			}
			if a == atom.Caption {
				caption = !end
				continue
			}
			if caption && (a == atom.Td || a == atom.Th || a == atom.Tr || a == atom.Thead || a == atom.Tbody || a == atom.Tfoot || a == atom.Table) {
				return nil, false, nil // table markup inside a caption: the parser's recovery decides
			}
			switch {
			case a == atom.Table && !end:
				return nil, false, nil // a nested table
			case a == atom.Table:
				closeRow()
				inTable = false
				if root.first {
					return rows, true, nil
				}
			case a == atom.Tr && !end:
				openRow()
			case a == atom.Tr, a == atom.Thead || a == atom.Tbody || a == atom.Tfoot:
				closeRow()
			case (a == atom.Td || a == atom.Th) && !end:
				if row == nil {
					openRow() // a cell outside <tr> opens a row, as the parser's implied <tr> does
				}
				closeCell()
				cell, inCell = htmlCell{th: a == atom.Th, colspan: 1, rowspan: 1}, true
				seenCol, seenRow := false, false
				c := &cell
				eachAttr(z, func(k, v []byte) {
					switch {
					case string(k) == "colspan" && !seenCol:
						c.colspan, seenCol = spanValue(string(v)), true
					case string(k) == "rowspan" && !seenRow:
						c.rowspan, seenRow = spanValue(string(v)), true
					}
				})
				text = text[:0]
				space = false
			case a == atom.Td || a == atom.Th:
				closeCell()
			case !inCell:
			case a == atom.Script || a == atom.Style:
				if end {
					skip = max(skip-1, 0)
				} else if tt == html.StartTagToken {
					skip++
				}
			case a == atom.Br:
				space = len(text) > 0
			}
		}
	}
}

// appendCollapsed appends t to dst with runs of white space collapsed (as nodeText does).
func appendCollapsed(dst, t []byte, space *bool) []byte {
	for len(t) > 0 {
		c := t[0]
		if c < utf8.RuneSelf {
			t = t[1:]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' {
				*space = len(dst) > 0
				continue
			}
			if *space {
				dst = append(dst, ' ')
				*space = false
			}
			dst = append(dst, c)
			continue
		}
		r, size := utf8.DecodeRune(t)
		if r == '\u00a0' {
			t = t[size:]
			*space = len(dst) > 0
			continue
		}
		if *space {
			dst = append(dst, ' ')
			*space = false
		}
		dst = utf8.AppendRune(dst, r) // an invalid sequence becomes U+FFFD, as strings.Builder.WriteRune wrote it
		t = t[size:]
	}
	return dst
}

// spanValue reads colspan/rowspan: a positive integer, at most htmlMaxSpan; anything else is 1.
func spanValue(s string) int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 1 {
		return 1
	}
	return min(v, htmlMaxSpan)
}

// tagAtom is the current tag's name as an atom (0 for names no atom has).
// Tokenizer.TagName would do, but it copies every name (to replace NUL
// bytes), which costs more than reading the cells.
func tagAtom(z *html.Tokenizer, buf *[16]byte) atom.Atom {
	raw := z.Raw()
	i := 1 // after '<'
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == ' ' || c == '/' || c == '>' || c == '\t' || c == '\n' || c == '\f' || c == '\r' {
			break
		}
		if n == len(buf) {
			return 0 // longer than any tag the stream acts on
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return atom.Lookup(buf[:n])
}

// eachAttr calls fn for the current tag's attributes, in order.
func eachAttr(z *html.Tokenizer, fn func(k, v []byte)) {
	for {
		k, v, more := z.TagAttr()
		if k == nil && !more {
			return
		}
		fn(k, v)
		if !more {
			return
		}
	}
}
