package transform

import (
	"fmt"
	"strconv"
	"strings"
)

// xmlPath is the row selector of format "xml": a small XPath subset that a
// streaming reader can match with one pass and a stack (no lookahead, no
// DOM). Grammar:
//
//	path  = ["/" | "//"] step { ("/" | "//") step }
//	step  = ( "*" | name | prefix ":" name ) { "[" pred "]" }
//	pred  = "@" attr [ "=" quoted ] | integer (1-based position among the matching siblings)
//
// Paths start at the document (a relative path is read as absolute); "//"
// before a step matches it at any depth below. An unprefixed name matches the
// local name under any namespace prefix; "soap:Body" matches that prefix only.
type xmlPath struct {
	steps    []xmlStep
	hasIndex bool
}

type xmlStep struct {
	desc   bool   // preceded by "//"
	prefix string // "" = any
	local  string // "*" = any
	preds  []xmlPred
	index  int // [n], 0 = none
}

type xmlPred struct {
	attr   string // local name, optionally "prefix:local"
	value  string
	hasVal bool
}

const maxXMLPathSteps = 64

// defaultXMLRoot selects the children of the document element, the usual
// place of the repeated records (<items><item/>…</items>).
const defaultXMLRoot = "/*/*"

func parseXMLPath(s string) (*xmlPath, *ValidationError) {
	if s == "" {
		s = defaultXMLRoot
	}
	bad := func(format string, args ...any) (*xmlPath, *ValidationError) {
		return nil, verr("root", "invalid XML path %q: %s (e.g. //item, /rss/channel/item, //book[@lang=\"en\"], /*/entry[2])", s, fmt.Sprintf(format, args...))
	}
	p := &xmlPath{}
	i := 0
	for i < len(s) {
		st := xmlStep{}
		switch {
		case strings.HasPrefix(s[i:], "//"):
			st.desc = true
			i += 2
		case s[i] == '/':
			i++
		case i > 0:
			return bad("expected / at offset %d", i)
		}
		j := i
		for j < len(s) && s[j] != '/' && s[j] != '[' {
			j++
		}
		name := s[i:j]
		if name == "" {
			return bad("empty step at offset %d", i)
		}
		if k := strings.IndexByte(name, ':'); k >= 0 {
			st.prefix, st.local = name[:k], name[k+1:]
			if !validXMLName(st.prefix) || (st.local != "*" && !validXMLName(st.local)) {
				return bad("invalid name %q", name)
			}
		} else {
			st.local = name
			if name != "*" && !validXMLName(name) {
				return bad("invalid name %q", name)
			}
		}
		i = j
		for i < len(s) && s[i] == '[' {
			end := predEnd(s, i)
			if end < 0 {
				return bad("unclosed [ at offset %d", i)
			}
			body := strings.TrimSpace(s[i+1 : end])
			i = end + 1
			if n, err := strconv.Atoi(body); err == nil {
				if n < 1 || st.index != 0 {
					return bad("a position must be one integer ≥ 1")
				}
				st.index = n
				p.hasIndex = true
				continue
			}
			if !strings.HasPrefix(body, "@") {
				return bad("a predicate is [@attr], [@attr=\"value\"] or [n], not [%s]", body)
			}
			pr := xmlPred{}
			attr, val, hasVal := strings.Cut(body[1:], "=")
			pr.attr = strings.TrimSpace(attr)
			if !validXMLQName(pr.attr) {
				return bad("invalid attribute name %q", pr.attr)
			}
			if hasVal {
				val = strings.TrimSpace(val)
				if len(val) < 2 || (val[0] != '"' && val[0] != '\'') || val[len(val)-1] != val[0] {
					return bad("the value of [@%s=…] must be quoted", pr.attr)
				}
				pr.value, pr.hasVal = val[1:len(val)-1], true
			}
			st.preds = append(st.preds, pr)
		}
		p.steps = append(p.steps, st)
		if len(p.steps) > maxXMLPathSteps {
			return bad("more than %d steps", maxXMLPathSteps)
		}
	}
	if len(p.steps) == 0 {
		return bad("no steps")
	}
	return p, nil
}

// predEnd finds the "]" closing the predicate opened at s[i], skipping quoted text.
func predEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ']':
			return j
		}
	}
	return -1
}

func validXMLQName(s string) bool {
	if p, l, ok := strings.Cut(s, ":"); ok {
		return validXMLName(p) && validXMLName(l)
	}
	return validXMLName(s)
}

// validXMLName is a pragmatic NCName check: letters, digits, '_', '-', '.',
// and any non-ASCII character, not starting with a digit, '-' or '.'.
func validXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 0x80 || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '-' || r == '.' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}

// matchName reports whether the element (raw prefix and local name) fits the step.
func (st *xmlStep) matchName(prefix, local string) bool {
	if st.prefix != "" && st.prefix != prefix {
		return false
	}
	return st.local == "*" || st.local == local
}

func (st *xmlStep) matchAttrs(attrs []rawAttr) bool {
	for _, pr := range st.preds {
		found := false
		for _, a := range attrs {
			if a.matches(pr.attr) && (!pr.hasVal || a.value == pr.value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// rawAttr is an attribute as the token stream gives it: the prefix is not
// resolved to a namespace URI.
type rawAttr struct {
	prefix, local, value string
}

func (a rawAttr) matches(q string) bool {
	if p, l, ok := strings.Cut(q, ":"); ok {
		return a.prefix == p && a.local == l
	}
	return a.local == q
}
