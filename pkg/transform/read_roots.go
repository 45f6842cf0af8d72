package transform

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// RootSuggestion is a candidate root for a document whose rows are not the
// obvious top level: an XML element path that repeats, or a CSS selector of
// an HTML table's (or list's) rows, with how many rows it selects.
type RootSuggestion struct {
	Root  string `json:"root"`
	Count int    `json:"count"`
}

// maxRootSuggestions bounds the answer; the most repeated come first.
const maxRootSuggestions = 20

// SuggestRoots lists candidate roots for XML and HTML bodies (format "xml",
// "html", or "auto" resolving to one of them); other formats have none (nil).
// The context's deadline bounds the time. Errors are *Error.
func SuggestRoots(ctx context.Context, in Input, format string) ([]RootSuggestion, error) {
	lim := Limits{}.withDefaults()
	body, err := decodeBody(ctx, in, lim.MaxInputBytes)
	if err != nil {
		return nil, err
	}
	if format == FormatAuto {
		var serr *Error
		if format, serr = sniffFormat(in.ContentType, body); serr != nil {
			return nil, serr
		}
	}
	body = trimBOM(body)
	switch format {
	case FormatXML:
		return xmlRoots(ctx, body)
	case FormatHTML:
		return htmlRoots(ctx, body)
	}
	return nil, nil
}

// xmlRoots counts the elements of each path of local names; paths that
// repeat are candidates ("/rss/channel/item" × 20).
func xmlRoots(ctx context.Context, body []byte) ([]RootSuggestion, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charset.NewReaderLabel
	counts := map[string]int{}
	parents := map[string]bool{} // paths with child elements: records rather than fields
	var order []string
	var stack []string
	for tokens := 0; ; tokens++ {
		if tokens%4096 == 0 && ctx.Err() != nil {
			return nil, timeoutError(ctx.Err())
		}
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= xmlMaxDepth {
				return nil, xmlErrorAt(d, "nested deeper than %d levels", xmlMaxDepth)
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if parent != "" {
				parents[parent] = true
			}
			path := parent + "/" + qname(t.Name.Space, t.Name.Local)
			if _, ok := counts[path]; !ok && len(counts) < 10000 { // a document of ever new paths: enough seen
				order = append(order, path)
				counts[path] = 0
			}
			if _, ok := counts[path]; ok {
				counts[path]++
			}
			stack = append(stack, path)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				return nil, inputError("invalid XML: the DOCTYPE declares entities, which are refused (no entity expansion, external entities are never fetched)")
			}
		}
	}
	var records, fields []RootSuggestion
	for _, p := range order {
		if n := counts[p]; n > 1 && !repeatsWithParent(p, counts) {
			if parents[p] {
				records = append(records, RootSuggestion{Root: p, Count: n})
			} else {
				fields = append(fields, RootSuggestion{Root: p, Count: n})
			}
		}
	}
	// Repeated elements with children (records) first, then repeated leaves
	// (<category> × 3), each by count.
	return topSuggestions(append(sortByCount(records), sortByCount(fields)...)), nil
}

// repeatsWithParent: a path that repeats only because its parent does
// (/feed/entry/link under 20 entries, once each) is not a row candidate.
func repeatsWithParent(p string, counts map[string]int) bool {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return false
	}
	return counts[p[:i]] == counts[p]
}

func sortByCount(s []RootSuggestion) []RootSuggestion {
	slices.SortStableFunc(s, func(a, b RootSuggestion) int { return b.Count - a.Count })
	return s
}

func topSuggestions(s []RootSuggestion) []RootSuggestion {
	if len(s) > maxRootSuggestions {
		s = s[:maxRootSuggestions]
	}
	return s
}

// htmlRoots suggests the rows of each table ("table#svc tr") and the items
// of each list with at least two, as selectors that select exactly them.
func htmlRoots(ctx context.Context, body []byte) ([]RootSuggestion, error) {
	doc, err := html.ParseWithOptions(bytes.NewReader(body), html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, inputError("invalid HTML: %s", err)
	}
	if ctx.Err() != nil {
		return nil, timeoutError(ctx.Err())
	}
	var out []RootSuggestion
	for _, t := range cascadia.QueryAll(doc, cascadia.MustCompile("table, ul, ol")) {
		child := "tr"
		n := len(tableRows(t))
		if t.DataAtom != atom.Table {
			child = "li"
			n = 0
			for c := t.FirstChild; c != nil; c = c.NextSibling {
				if c.DataAtom == atom.Li {
					n++
				}
			}
			child = "> li"
		}
		if n < 2 {
			continue
		}
		sel := uniqueSelector(doc, t) + " " + child
		if m, err := cascadia.ParseGroup(sel); err != nil || len(cascadia.QueryAll(doc, m)) == 0 {
			continue
		}
		out = append(out, RootSuggestion{Root: sel, Count: n})
		if len(out) >= 4*maxRootSuggestions {
			break
		}
	}
	// Document order, not by count: the page's first table is the default root.
	if len(out) > maxRootSuggestions {
		out = out[:maxRootSuggestions]
	}
	return out, nil
}

// uniqueSelector names n: by its id, by its tag and classes when they select
// it alone, else by :nth-of-type steps from the nearest ancestor with an id
// (or the document).
func uniqueSelector(doc, n *html.Node) string {
	unique := func(sel string) bool {
		m, err := cascadia.ParseGroup(sel)
		if err != nil {
			return false
		}
		found := cascadia.QueryAll(doc, m)
		return len(found) == 1 && found[0] == n
	}
	if id, ok := attrOf(n, "id"); ok && cssIdent(id) && unique(n.Data+"#"+id) {
		return n.Data + "#" + id
	}
	if cls, ok := attrOf(n, "class"); ok {
		sel := n.Data
		for _, c := range strings.Fields(cls) {
			if cssIdent(c) {
				sel += "." + c
			}
		}
		if sel != n.Data && unique(sel) {
			return sel
		}
	}
	var steps []string
	for e := n; e != nil && e.Type == html.ElementNode; e = e.Parent {
		if id, ok := attrOf(e, "id"); ok && e != n && cssIdent(id) && unique(e.Data+"#"+id) {
			steps = append(steps, e.Data+"#"+id)
			break
		}
		k := 1
		for s := e.PrevSibling; s != nil; s = s.PrevSibling {
			if s.Type == html.ElementNode && s.Data == e.Data {
				k++
			}
		}
		steps = append(steps, e.Data+":nth-of-type("+itoa(k)+")")
	}
	slices.Reverse(steps)
	return strings.Join(steps, " > ")
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// cssIdent: ids and classes that need no escaping in a selector.
func cssIdent(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= 0x80 || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}
