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
	return SuggestRootsWithin(ctx, in, format, Limits{})
}

// SuggestRootsWithin is SuggestRoots within a data source's limits and the
// caller's memory budget (see InferSchemaWithin).
func SuggestRootsWithin(ctx context.Context, in Input, format string, lim Limits) ([]RootSuggestion, error) {
	lim = lim.withDefaults()
	body, err := decodeBody(ctx, in, lim)
	if err != nil {
		return nil, err
	}
	r, serr := resolveFormat(format, in.ContentType, body)
	if serr != nil {
		return nil, serr
	}
	if r == nil || r.roots == nil {
		return nil, nil
	}
	return r.roots(ctx, trimBOM(body), lim)
}

// xmlRoots counts the elements of each path of local names; paths that
// repeat are candidates ("/rss/channel/item" × 20). Paths are interned as
// (parent, name) pairs, never kept as strings: a path's text is its depth
// times its names, and keeping one per open element made 10 MB of deep,
// long-named XML into 1.28 GB. Only the suggestions are spelt out, and
// those longer than maxRootSuggestionBytes are left out.
func xmlRoots(ctx context.Context, body []byte, lim Limits) ([]RootSuggestion, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charset.NewReaderLabel
	type pathKey struct {
		parent int32
		name   string
	}
	type pathNode struct {
		parent      int32
		name        string
		count       int
		length      int // bytes of the spelt-out path
		hasChildren bool
	}
	ids := map[pathKey]int32{}
	var nodes []pathNode // in first-seen order
	var stack []int32    // open elements' path ids (-1: not interned, past maxXMLRootPaths)
	m := &meter{lim: lim}
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
			parent := int32(-1)
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
				if parent >= 0 {
					nodes[parent].hasChildren = true
				}
			}
			id := int32(-1)
			if parent >= 0 || len(stack) == 0 {
				name := qname(t.Name.Space, t.Name.Local)
				k := pathKey{parent, name}
				var ok bool
				if id, ok = ids[k]; !ok {
					id = -1
					if len(nodes) < maxXMLRootPaths { // a document of ever new paths: enough seen
						id = int32(len(nodes))
						length := len(name) + 1
						if parent >= 0 {
							length += nodes[parent].length
						}
						k.name = strings.Clone(name)
						nodes = append(nodes, pathNode{parent: parent, name: k.name, length: length})
						ids[k] = id
						if err := m.add(int64(len(name))*2 + 96); err != nil {
							return nil, err
						}
					}
				}
				if id >= 0 {
					nodes[id].count++
				}
			}
			stack = append(stack, id)
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
	spell := func(id int32) string {
		b := make([]byte, nodes[id].length)
		for i := len(b); id >= 0; id = nodes[id].parent {
			n := nodes[id].name
			i -= len(n)
			copy(b[i:], n)
			i--
			b[i] = '/'
		}
		return string(b)
	}
	var records, fields []RootSuggestion
	for i, p := range nodes {
		// A path that repeats only because its parent does (/feed/entry/link
		// under 20 entries, once each) is not a row candidate.
		repeatsWithParent := p.parent >= 0 && nodes[p.parent].count == p.count
		if p.count <= 1 || repeatsWithParent || p.length > maxRootSuggestionBytes {
			continue
		}
		if p.hasChildren {
			records = append(records, RootSuggestion{Root: spell(int32(i)), Count: p.count})
		} else {
			fields = append(fields, RootSuggestion{Root: spell(int32(i)), Count: p.count})
		}
	}
	// Repeated elements with children (records) first, then repeated leaves
	// (<category> × 3), each by count.
	return topSuggestions(append(sortByCount(records), sortByCount(fields)...)), nil
}

// maxXMLRootPaths bounds the distinct element paths counted;
// maxRootSuggestionBytes the length of a suggested root.
const (
	maxXMLRootPaths        = 10_000
	maxRootSuggestionBytes = 1024
)

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
// Uniqueness is decided by counting on the tree, never by matching
// selectors (cascadia's :nth-of-type is quadratic in the siblings): one walk
// for the ids, one per candidate for its classes, each checking the deadline.
func htmlRoots(ctx context.Context, body []byte, lim Limits) ([]RootSuggestion, error) {
	doc, err := parseHTMLCharged(ctx, body, lim)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, timeoutError(ctx.Err())
	}
	if st := htmlStats(doc); st.depth > htmlMaxDepth {
		return nil, inputError("invalid HTML: elements nested deeper than %d levels", htmlMaxDepth)
	}
	lists, err := queryAll(ctx, doc, cascadia.MustCompile("table, ul, ol"), false)
	if err != nil {
		return nil, err
	}
	ix := &pageIndex{doc: doc, ids: map[string]int{}}
	if err := ix.countIDs(ctx); err != nil {
		return nil, err
	}
	var out []RootSuggestion
	for _, t := range lists {
		child := "tr"
		n := len(tableRows(t))
		if t.DataAtom != atom.Table {
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
		sel, err := ix.uniqueSelector(ctx, t)
		if err != nil {
			return nil, err
		}
		sel += " " + child
		if _, err := cascadia.ParseGroup(sel); err != nil {
			continue
		}
		out = append(out, RootSuggestion{Root: sel, Count: n})
		if len(out) >= maxRootSuggestions {
			break
		}
	}
	// Document order, not by count: the page's first table is the default root.
	return out, nil
}

// pageIndex answers "does this selector select n alone" by counting.
type pageIndex struct {
	doc *html.Node
	ids map[string]int // "tag#id" → elements
}

func (ix *pageIndex) countIDs(ctx context.Context) error {
	return walkElements(ctx, ix.doc, func(e *html.Node) {
		if id, ok := attrOf(e, "id"); ok {
			ix.ids[e.Data+"#"+id]++
		}
	})
}

// uniqueClasses: no other element of n's tag has all of classes.
func (ix *pageIndex) uniqueClasses(ctx context.Context, n *html.Node, classes []string) (bool, error) {
	count := 0
	err := walkElements(ctx, ix.doc, func(e *html.Node) {
		if e.Data != n.Data {
			return
		}
		cls, _ := attrOf(e, "class")
		have := strings.Fields(cls)
		for _, c := range classes {
			if !slices.Contains(have, c) {
				return
			}
		}
		count++
	})
	return count == 1, err
}

// walkElements calls fn for every element, checking the deadline.
func walkElements(ctx context.Context, root *html.Node, fn func(*html.Node)) error {
	visited := 0
	for n := root; n != nil; {
		if visited++; visited%1024 == 0 && ctx.Err() != nil {
			return timeoutError(ctx.Err())
		}
		if n.Type == html.ElementNode {
			fn(n)
		}
		if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	return nil
}

// uniqueSelector names n: by its id, by its tag and classes when they select
// it alone, else by :nth-of-type steps from the nearest ancestor with a
// unique id (or the document).
func (ix *pageIndex) uniqueSelector(ctx context.Context, n *html.Node) (string, error) {
	uniqueID := func(e *html.Node) (string, bool) {
		id, ok := attrOf(e, "id")
		if !ok || !cssIdent(id) || ix.ids[e.Data+"#"+id] != 1 {
			return "", false
		}
		return e.Data + "#" + id, true
	}
	if sel, ok := uniqueID(n); ok {
		return sel, nil
	}
	if cls, ok := attrOf(n, "class"); ok {
		sel := n.Data
		var classes []string
		for _, c := range strings.Fields(cls) {
			if cssIdent(c) {
				sel += "." + c
				classes = append(classes, c)
			}
		}
		if len(classes) > 0 {
			unique, err := ix.uniqueClasses(ctx, n, classes)
			if err != nil {
				return "", err
			}
			if unique {
				return sel, nil
			}
		}
	}
	var steps []string
	for e := n; e != nil && e.Type == html.ElementNode; e = e.Parent {
		if sel, ok := uniqueID(e); ok && e != n {
			steps = append(steps, sel)
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
	return strings.Join(steps, " > "), nil
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
