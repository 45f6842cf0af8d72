package transform

import (
	"context"
	"fmt"
	"reflect"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// CSS selectors are caller input matched against an upstream's page, and
// cascadia's matching is not linear: :nth-child and its kin count the
// siblings of every candidate, :has searches each candidate's subtree,
// descendant combinators walk every ancestor and backtrack. ":nth-child(2n+1)"
// over 70,000 sibling elements (480 KB) is 5·10⁹ steps, minutes of CPU in a
// call cascadia gives no way to interrupt. So before matching, each selector
// is costed against the parsed page (its node count, depth, widest sibling
// list, and per tag the elements, their subtrees and their text) and refused
// when the estimate passes cssMaxCost; the matching itself (queryAll) checks
// the deadline between nodes. The estimate is an upper bound for the forms it
// knows and charges unknown forms as a full document walk.

const (
	// cssMaxCost is the most node visits (or text bytes) one selector may
	// cost over one page: about a second of matching.
	cssMaxCost = 100_000_000
	// cssMaxLength and cssMaxNesting bound a selector's text before cascadia
	// parses it (its parser and matchers recurse once per nested :not(…)).
	cssMaxLength  = 1024
	cssMaxNesting = 8
)

// parseCSS parses a caller's selector group within the length and nesting bounds.
func parseCSS(sel string) (cascadia.SelectorGroup, error) {
	if len(sel) > cssMaxLength {
		return nil, fmt.Errorf("the selector is %d bytes long; at most %d", len(sel), cssMaxLength)
	}
	depth := 0
	for i := 0; i < len(sel); i++ {
		switch sel[i] {
		case '(', '[':
			if depth++; depth > cssMaxNesting {
				return nil, fmt.Errorf("brackets nested deeper than %d levels", cssMaxNesting)
			}
		case ')', ']':
			depth--
		}
	}
	return cascadia.ParseGroup(sel)
}

// domStats describe a parsed page for costing selectors.
type domStats struct {
	nodes, depth, width, text int64
	tags                      map[string]*tagStats
}

type tagStats struct {
	count   int64 // elements with this tag
	subtree int64 // their subtrees' nodes, summed
	text    int64 // their subtrees' text bytes, summed
}

// htmlStats walks the tree once, without recursion.
func htmlStats(doc *html.Node) *domStats {
	st := &domStats{tags: map[string]*tagStats{}}
	type open struct{ nodes, text int64 }
	var stack []open
	var children []int64
	enter := func(n *html.Node) {
		st.nodes++
		if n.Type == html.TextNode {
			st.text += int64(len(n.Data))
		}
		if len(children) > 0 {
			children[len(children)-1]++
			st.width = max(st.width, children[len(children)-1])
		}
		stack = append(stack, open{st.nodes, st.text})
		children = append(children, 0)
		st.depth = max(st.depth, int64(len(stack)))
	}
	leave := func(n *html.Node) {
		o := stack[len(stack)-1]
		stack, children = stack[:len(stack)-1], children[:len(children)-1]
		if n.Type != html.ElementNode {
			return
		}
		t := st.tags[n.Data]
		if t == nil {
			t = &tagStats{}
			st.tags[n.Data] = t
		}
		t.count++
		t.subtree += st.nodes - o.nodes + 1
		t.text += st.text - o.text
	}
	for n := doc; n != nil; {
		enter(n)
		if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil && n.NextSibling == nil {
			leave(n)
			n = n.Parent
		}
		if n != nil {
			leave(n)
			n = n.NextSibling
		}
	}
	return st
}

// cssCost estimates the node visits of matching sel against every node of
// the page (QueryAll from the document).
func (st *domStats) cssCost(sel cascadia.Matcher) float64 {
	return st.cost(reflect.ValueOf(sel), true)
}

// cost is the work of matching s against the nodes: with all=true summed
// over every node of the page (tag counts make it tighter), else for one
// node in the worst case.
func (st *domStats) cost(v reflect.Value, all bool) float64 {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	n, d, w := float64(st.nodes), float64(st.depth), float64(st.width)
	per := func(c float64) float64 { // a per-node cost, over every node when all
		if all {
			return n * c
		}
		return c
	}
	switch v.Type().Name() {
	case "SelectorGroup":
		sum := 0.0
		for i := 0; i < v.Len(); i++ {
			sum += st.cost(v.Index(i), all)
		}
		return sum
	case "compoundSelector":
		parts := v.FieldByName("selectors")
		if !all || parts.Len() == 0 {
			sum := 1.0
			for i := 0; i < parts.Len(); i++ {
				sum += st.cost(parts.Index(i), false)
			}
			return per(sum)
		}
		// The type selector comes first and filters: later parts run only
		// on elements of that tag, whose subtrees and text are known.
		first := parts.Index(0)
		for first.Kind() == reflect.Interface {
			first = first.Elem()
		}
		if first.Type().Name() != "tagSelector" {
			sum := 1.0
			for i := 0; i < parts.Len(); i++ {
				sum += st.cost(parts.Index(i), false)
			}
			return per(sum)
		}
		t := st.tags[first.FieldByName("tag").String()]
		if t == nil {
			return n // no element has the tag: one comparison per node
		}
		total := n
		for i := 1; i < parts.Len(); i++ {
			total += st.costOnTag(parts.Index(i), t)
		}
		return total
	case "combinedSelector":
		second := v.FieldByName("second")
		firstCost := st.cost(v.FieldByName("first"), false)
		var hop float64
		switch byte(v.FieldByName("combinator").Uint()) {
		case 0:
			return st.cost(v.FieldByName("first"), all)
		case ' ':
			hop = d * firstCost
		case '>':
			hop = firstCost
		case '+':
			hop = w + firstCost
		default: // '~'
			hop = w * firstCost
		}
		// The left side is matched only on nodes the right side matched:
		// over the page, at most the elements of the right side's tag.
		cands := n
		if t := st.leadTag(second); t != nil {
			cands = float64(t.count)
		}
		if !all {
			return st.cost(second, false) + hop
		}
		if v.FieldByName("combinator").Uint() == '+' {
			// Walking back past text and comments: each such node is passed
			// by the next element only, so n in all, plus one match each.
			return st.cost(second, true) + cands*firstCost + n
		}
		return st.cost(second, true) + cands*hop
	case "relativePseudoClassSelector":
		inner := st.cost(v.FieldByName("match"), false)
		switch v.FieldByName("name").String() {
		case "not":
			return per(inner)
		case "haschild":
			return per(w * inner)
		default: // has: the whole subtree
			return per(n * inner)
		}
	case "nthPseudoClassSelector", "onlyChildPseudoClassSelector", "emptyElementPseudoClassSelector":
		return per(w)
	case "containsPseudoClassSelector", "regexpPseudoClassSelector":
		return per(float64(st.text) + 1)
	case "langPseudoClassSelector", "enabledPseudoClassSelector", "disabledPseudoClassSelector":
		return per(d)
	case "tagSelector", "classSelector", "idSelector", "attrSelector", "neverMatchSelector", "inputPseudoClassSelector",
		"rootPseudoClassSelector", "linkPseudoClassSelector", "checkedPseudoClassSelector":
		return per(1)
	}
	return per(n) // a form this estimate does not know: as dear as a walk of the page
}

// costOnTag is the work of a compound's later part matched on every element of tag t.
func (st *domStats) costOnTag(v reflect.Value, t *tagStats) float64 {
	for v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	c := float64(t.count)
	switch v.Type().Name() {
	case "relativePseudoClassSelector":
		if v.FieldByName("name").String() == "has" { // each element's subtree, summed
			return float64(t.subtree) * st.cost(v.FieldByName("match"), false)
		}
	case "containsPseudoClassSelector", "regexpPseudoClassSelector":
		return float64(t.text) + c
	}
	return c * st.cost(v, false)
}

// leadTag is the tag statistics of the type selector that starts a
// compound selector, or nil.
func (st *domStats) leadTag(v reflect.Value) *tagStats {
	for v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Type().Name() != "compoundSelector" {
		return nil
	}
	parts := v.FieldByName("selectors")
	if parts.Len() == 0 {
		return nil
	}
	first := parts.Index(0)
	for first.Kind() == reflect.Interface {
		first = first.Elem()
	}
	if first.Type().Name() != "tagSelector" {
		return nil
	}
	if t := st.tags[first.FieldByName("tag").String()]; t != nil {
		return t
	}
	return &tagStats{}
}

// checkCSSCost refuses a selector whose matching over visits nodes (the
// page, or the rows' subtrees) would cost more than cssMaxCost.
func (st *domStats) checkCSSCost(field, text string, sel cascadia.Matcher, visits float64) *Error {
	c := st.cssCost(sel)
	if st.nodes > 0 {
		c *= max(visits/float64(st.nodes), 1)
	}
	if c <= cssMaxCost {
		return nil
	}
	return &Error{Code: CodeExprTooCostly, Path: field, Message: fmt.Sprintf(
		"the CSS selector %s would take about %.0e steps on this page (%d nodes, %d siblings at most); the limit is %.0e: "+
			"select by tag, id and class, and avoid :nth-child, :nth-of-type, :has, :contains and sibling combinators on large pages",
		shortQuote(text), c, st.nodes, st.width, float64(cssMaxCost))}
}

// queryAll returns the descendants of root that sel matches, in document
// order (cascadia.QueryAll's answer), checking the deadline between nodes;
// first stops at the first match (cascadia.Query).
func queryAll(ctx context.Context, root *html.Node, sel cascadia.Matcher, first bool) ([]*html.Node, error) {
	var out []*html.Node
	visited := 0
	for n := root.FirstChild; n != nil; {
		if visited++; visited%256 == 0 && ctx.Err() != nil {
			return nil, timeoutError(ctx.Err())
		}
		if n.Type == html.ElementNode && sel.Match(n) {
			out = append(out, n)
			if first {
				return out, nil
			}
		}
		if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != root && n.NextSibling == nil {
			n = n.Parent
		}
		if n == root {
			break
		}
		n = n.NextSibling
	}
	return out, nil
}
