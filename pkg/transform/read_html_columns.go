package transform

// Explicit columns of an HTML table: a header name, @attr, or a CSS
// selector relative to the row, costed before matching (css_cost.go).

import (
	"context"
	"fmt"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// htmlColumn is an explicit column's way of reading a row.
type htmlColumn struct {
	pos  int              // header position, or -1
	sel  cascadia.Matcher // CSS relative to the row, or nil
	css  string           // sel's text, for messages
	attr string           // attribute to read instead of text
	none bool             // nothing to read: all null (with a notice)
}

func resolveHTMLColumn(c Column, header []string, ns *notices) htmlColumn {
	sel := c.Selector
	if sel == "" {
		sel = c.Name
	}
	for j, h := range header {
		if h == sel {
			return htmlColumn{pos: j}
		}
	}
	hc := htmlColumn{pos: -1}
	if strings.HasPrefix(sel, "@") {
		hc.attr = strings.TrimSpace(sel[1:])
		return hc
	}
	css := sel
	if i := strings.LastIndexByte(sel, '@'); i > 0 && !strings.ContainsAny(sel[i:], "]\"'") {
		css, hc.attr = strings.TrimSpace(sel[:i]), strings.TrimSpace(sel[i+1:])
	}
	m, err := parseCSS(css)
	if err != nil {
		hc.none = true
		if c.Selector == "" {
			ns.warn("column %q: no header cell named %q; all values are null", c.Name, sel)
		} else {
			ns.warn("column %q: %q is neither a header cell nor a valid CSS selector (%s); all values are null", c.Name, sel, err)
		}
		return hc
	}
	hc.sel, hc.css = m, css
	return hc
}

func (hc htmlColumn) read(ctx context.Context, row *html.Node, rec []string) (string, error) {
	switch {
	case hc.none:
		return "", nil
	case hc.pos >= 0:
		if hc.pos < len(rec) {
			return rec[hc.pos], nil
		}
		return "", nil
	case hc.sel == nil:
		v, _ := attrOf(row, hc.attr)
		return strings.TrimSpace(v), nil
	}
	found, err := queryAll(ctx, row, hc.sel, true)
	if err != nil || len(found) == 0 {
		return "", err
	}
	if hc.attr != "" {
		v, _ := attrOf(found[0], hc.attr)
		return strings.TrimSpace(v), nil
	}
	return nodeText(found[0]), nil
}

// checkColumnCost costs the columns' CSS selectors over the rows' subtrees
// (each row is searched for its cell), counted up to what would pass the bound.
func (d *htmlDoc) checkColumnCost(hcs []htmlColumn, rows []*html.Node) error {
	var visits int64
	counted := false
	for j, hc := range hcs {
		if hc.sel == nil {
			continue
		}
		if !counted {
			counted = true
			for _, r := range rows {
				if visits += subtreeSize(r, cssMaxCost-visits); visits >= cssMaxCost {
					break
				}
			}
		}
		if err := d.stats.checkCSSCost(fmt.Sprintf("columns[%d].selector", j), hc.css, hc.sel, float64(visits)); err != nil {
			return err
		}
	}
	return nil
}

// subtreeSize counts the nodes below n, stopping past limit.
func subtreeSize(n *html.Node, limit int64) int64 {
	var count int64
	for c := n.FirstChild; c != nil && count <= limit; {
		count++
		if c.FirstChild != nil {
			c = c.FirstChild
			continue
		}
		for c != n && c.NextSibling == nil {
			c = c.Parent
		}
		if c == n {
			break
		}
		c = c.NextSibling
	}
	return count
}
