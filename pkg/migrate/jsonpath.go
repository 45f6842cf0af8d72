package migrate

import (
	"fmt"
	"strconv"
	"strings"
)

// JSON API's fields are JSONPath expressions (jsonpath-plus, scripts
// disabled), each yielding one column of values. Relay reads rows: a root
// selecting them and a selector per column. A set of paths converts when
// they share the part up to their one wildcard: $.items[*].name and
// $.items[*].tags.region are root items, selectors name and tags.region.

type jpSeg struct {
	kind string // key, index, wild, filter, recursive, slice
	key  string
	expr string // filter script
}

// parseJSONPath reads the JSONPath forms JSON API users write.
func parseJSONPath(path string) ([]jpSeg, error) {
	s := strings.TrimSpace(path)
	if s == "" {
		return nil, fmt.Errorf("empty path")
	}
	s = strings.TrimPrefix(s, "$")
	var segs []jpSeg
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, ".."):
			return nil, fmt.Errorf("recursive descent (..) has no Relay equivalent")
		case s[0] == '.':
			s = s[1:]
			if strings.HasPrefix(s, "*") {
				segs = append(segs, jpSeg{kind: "wild"})
				s = s[1:]
				continue
			}
			j := 0
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == 0 {
				return nil, fmt.Errorf("empty key")
			}
			segs = append(segs, jpSeg{kind: "key", key: s[:j]})
			s = s[j:]
		case s[0] == '[':
			end := matchBracket(s)
			if end < 0 {
				return nil, fmt.Errorf("unclosed [")
			}
			in := strings.TrimSpace(s[1:end])
			s = s[end+1:]
			switch {
			case in == "*":
				segs = append(segs, jpSeg{kind: "wild"})
			case strings.HasPrefix(in, "?(") && strings.HasSuffix(in, ")"):
				segs = append(segs, jpSeg{kind: "filter", expr: in[2 : len(in)-1]})
			case len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0]:
				segs = append(segs, jpSeg{kind: "key", key: in[1 : len(in)-1]})
			default:
				if _, err := strconv.Atoi(in); err == nil {
					segs = append(segs, jpSeg{kind: "index", key: in})
					continue
				}
				return nil, fmt.Errorf("[%s] (slices, unions and scripts) has no Relay equivalent", in)
			}
		default:
			// A path without "$." (name.first) as jsonpath-plus accepts it.
			if len(segs) == 0 {
				s = "." + s
				continue
			}
			return nil, fmt.Errorf("unexpected %q", s)
		}
	}
	return segs, nil
}

func matchBracket(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// gjsonKey escapes a key for a gjson path.
func gjsonKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if strings.IndexByte(`.*?|#@\!=<>%[]{}(),"`, k[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(k[i])
	}
	return b.String()
}

// gjsonPath renders key and index segments as a gjson path.
func gjsonPath(segs []jpSeg) (string, error) {
	parts := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s.kind {
		case "key":
			parts = append(parts, gjsonKey(s.key))
		case "index":
			parts = append(parts, s.key)
		default:
			return "", fmt.Errorf("a second wildcard or filter in one path has no Relay equivalent (the values would not be rows)")
		}
	}
	return strings.Join(parts, "."), nil
}

// jpFilter renders a JSONPath filter script as chained gjson queries
// (#(price>10)#|#(active==true)#): conjunctions of comparisons of a field
// with a literal.
func jpFilter(script string) (string, error) {
	n, err := parseExprText(script, modeJSONPath)
	if err != nil {
		return "", fmt.Errorf("filter %q: %v", script, err)
	}
	var parts []string
	var walk func(n node) error
	walk = func(n node) error {
		if b, ok := n.(*nBin); ok && b.op == "&&" {
			if err := walk(b.l); err != nil {
				return err
			}
			return walk(b.r)
		}
		b, ok := n.(*nBin)
		if !ok {
			if f, ok := n.(*nField); ok { // [?(@.active)]
				parts = append(parts, "#("+gjsonFieldPath(f.path)+"==true)#")
				return nil
			}
			return fmt.Errorf("filter %q: only comparisons joined by && convert", script)
		}
		f, ok := b.l.(*nField)
		if !ok {
			return fmt.Errorf("filter %q: a comparison must start with @.field", script)
		}
		var lit string
		switch r := b.r.(type) {
		case *nStr:
			lit = strconv.Quote(r.s)
		case *nNum:
			lit = r.s
		case *nLit:
			lit = strings.ReplaceAll(r.s, "nil", "null")
		default:
			return fmt.Errorf("filter %q: compare with a literal", script)
		}
		switch b.op {
		case "==", "!=", "<", "<=", ">", ">=":
		default:
			return fmt.Errorf("filter %q: operator %s has no gjson equivalent", script, b.op)
		}
		parts = append(parts, "#("+gjsonFieldPath(f.path)+b.op+lit+")#")
		return nil
	}
	if err := walk(n); err != nil {
		return "", err
	}
	return strings.Join(parts, "|"), nil
}

func gjsonFieldPath(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = gjsonKey(p)
	}
	return strings.Join(parts, ".")
}

// jpSplit is one JSONPath as Relay's root (with any filter) and selector.
type jpSplit struct {
	root     string // gjson root, "" for the document
	many     bool   // the path selects many values (one per row)
	selector string
	last     string // the last key: JSON API's default field name
}

func splitJSONPath(path string) (jpSplit, error) {
	segs, err := parseJSONPath(path)
	if err != nil {
		return jpSplit{}, err
	}
	var out jpSplit
	if len(segs) > 0 {
		out.last = segs[len(segs)-1].key
		if segs[len(segs)-1].kind == "wild" {
			out.last = "*"
		}
	}
	for i, s := range segs {
		if s.kind != "wild" && s.kind != "filter" {
			continue
		}
		root, err := gjsonPath(segs[:i])
		if err != nil {
			return out, err
		}
		if s.kind == "filter" {
			q, err := jpFilter(s.expr)
			if err != nil {
				return out, err
			}
			if root == "" {
				root = "@this"
			}
			root += "|" + q
		}
		out.root, out.many = root, true
		if out.selector, err = gjsonPath(segs[i+1:]); err != nil {
			return out, err
		}
		if out.selector == "" {
			out.selector = "@this"
		}
		return out, nil
	}
	out.selector, err = gjsonPath(segs)
	if out.selector == "" {
		out.selector = "@this"
	}
	return out, err
}
