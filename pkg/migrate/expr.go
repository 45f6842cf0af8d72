package migrate

import (
	"fmt"
	"strconv"
	"strings"
)

// exprMode says how a dialect names fields.
type exprMode int

const (
	// modeUQL: "field" is a field (dotted: a nested path), 'text' a string.
	modeUQL exprMode = iota
	// modeBare: Infinity's filter and computed column expressions: a bare
	// word is a field, either quote a string.
	modeBare
	// modeJSONPath: a JSONPath filter script: @.field is a field.
	modeJSONPath
)

// node is a parsed expression; emit renders it as expr-lang (Relay's filter
// and compute language).
type node interface {
	emit(c *exprCtx) (string, error)
}

type (
	nField struct{ path []string }
	nStr   struct{ s string }
	nNum   struct{ s string }
	nLit   struct{ s string } // true, false, nil
	nRaw   struct{ s string } // a template variable, left for Grafana and Relay to expand
	nBin   struct {
		op   string
		l, r node
	}
	nUnary struct {
		op string
		x  node
	}
	nIn struct {
		x    node
		list node
		neg  bool
	}
	nList struct{ items []node }
	nCall struct {
		name string
		args []node
	}
)

type exprParser struct {
	toks []token
	i    int
	mode exprMode
}

func (p *exprParser) peek() token { return p.toks[p.i] }
func (p *exprParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *exprParser) isOp(s string) bool { t := p.peek(); return t.kind == tOp && t.text == s }
func (p *exprParser) isWord(s string) bool {
	t := p.peek()
	return t.kind == tWord && strings.EqualFold(t.text, s)
}

func (p *exprParser) expect(s string) error {
	if !p.isOp(s) {
		return fmt.Errorf("expected %q, found %s", s, p.peek())
	}
	p.next()
	return nil
}

// parseExprText parses a whole expression.
func parseExprText(src string, mode exprMode) (node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks, mode: mode}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("unexpected %s", p.peek())
	}
	return n, nil
}

func (p *exprParser) expr() (node, error) { return p.or() }

func (p *exprParser) or() (node, error) {
	l, err := p.and()
	for err == nil && (p.isOp("||") || p.isWord("or")) {
		p.next()
		var r node
		if r, err = p.and(); err == nil {
			l = &nBin{op: "||", l: l, r: r}
		}
	}
	return l, err
}

func (p *exprParser) and() (node, error) {
	l, err := p.not()
	for err == nil && (p.isOp("&&") || p.isWord("and")) {
		p.next()
		var r node
		if r, err = p.not(); err == nil {
			l = &nBin{op: "&&", l: l, r: r}
		}
	}
	return l, err
}

func (p *exprParser) not() (node, error) {
	if p.isOp("!") || p.isWord("not") && !(p.toks[p.i+1].kind == tWord && strings.EqualFold(p.toks[p.i+1].text, "in")) {
		p.next()
		x, err := p.not()
		return &nUnary{op: "!", x: x}, err
	}
	return p.cmp()
}

var cmpOps = map[string]string{"==": "==", "===": "==", "!=": "!=", "!==": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "==", "=~": "matches"}

func (p *exprParser) cmp() (node, error) {
	l, err := p.add()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tOp && t.text == "=" && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].text == "=":
		// "===" lexes as "==" "=": JavaScript's strict equality
		p.next()
		p.next()
		r, err := p.add()
		return &nBin{op: "==", l: l, r: r}, err
	case t.kind == tOp && t.text == "!=" && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].text == "=":
		p.next()
		p.next()
		r, err := p.add()
		return &nBin{op: "!=", l: l, r: r}, err
	case t.kind == tOp && cmpOps[t.text] != "":
		p.next()
		r, err := p.add()
		return &nBin{op: cmpOps[t.text], l: l, r: r}, err
	case t.kind == tWord && strings.EqualFold(t.text, "in"):
		p.next()
		list, err := p.list()
		return &nIn{x: l, list: list}, err
	case t.kind == tOp && t.text == "!" && p.toks[p.i+1].kind == tWord && strings.EqualFold(p.toks[p.i+1].text, "in"),
		t.kind == tWord && strings.EqualFold(t.text, "not") && p.toks[p.i+1].kind == tWord && strings.EqualFold(p.toks[p.i+1].text, "in"):
		p.next()
		p.next()
		list, err := p.list()
		return &nIn{x: l, list: list, neg: true}, err
	}
	return l, nil
}

// list reads ('a', 'b'), ['a', 'b'] or a template variable standing for one.
func (p *exprParser) list() (node, error) {
	if !p.isOp("(") && !p.isOp("[") {
		return p.add()
	}
	closing := ")"
	if p.next().text == "[" {
		closing = "]"
	}
	var items []node
	for !p.isOp(closing) {
		it, err := p.add()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	return &nList{items: items}, p.expect(closing)
}

func (p *exprParser) add() (node, error) {
	l, err := p.mul()
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		op := p.next().text
		var r node
		if r, err = p.mul(); err == nil {
			l = &nBin{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *exprParser) mul() (node, error) {
	l, err := p.unary()
	for err == nil && (p.isOp("*") || p.isOp("/") || p.isOp("%")) {
		op := p.next().text
		var r node
		if r, err = p.unary(); err == nil {
			l = &nBin{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *exprParser) unary() (node, error) {
	if p.isOp("-") {
		p.next()
		x, err := p.unary()
		return &nUnary{op: "-", x: x}, err
	}
	return p.primary()
}

func (p *exprParser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		if _, err := strconv.ParseFloat(t.text, 64); err != nil {
			return nil, fmt.Errorf("bad number %s", t.text)
		}
		return &nNum{s: t.text}, nil
	case tSQuote:
		return &nStr{s: t.text}, nil
	case tDQuote:
		if p.mode == modeUQL {
			return &nField{path: splitPath(t.text)}, nil
		}
		return &nStr{s: t.text}, nil
	case tWord:
		switch strings.ToLower(t.text) {
		case "true", "false":
			return &nLit{s: strings.ToLower(t.text)}, nil
		case "null", "nil", "undefined":
			return &nLit{s: "nil"}, nil
		}
		if p.isOp("(") {
			p.next()
			var args []node
			for !p.isOp(")") {
				a, err := p.expr()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			return &nCall{name: strings.ToLower(t.text), args: args}, p.expect(")")
		}
		if p.mode == modeBare {
			return p.members([]string{t.text})
		}
		return nil, fmt.Errorf("unexpected word %s (fields are written %s)", t.text, map[exprMode]string{modeUQL: `"field"`, modeJSONPath: "@.field"}[p.mode])
	case tOp:
		switch t.text {
		case "(":
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			return x, p.expect(")")
		case "[":
			p.i--
			return p.list()
		case "@":
			if p.mode != modeJSONPath {
				break
			}
			return p.members(nil)
		case "$":
			return p.variable(t)
		}
	}
	return nil, fmt.Errorf("unexpected %s", t)
}

// members reads .a.b['c'] after a field's start.
func (p *exprParser) members(path []string) (node, error) {
	for {
		switch {
		case p.isOp(".") && p.toks[p.i+1].kind == tWord:
			p.next()
			path = append(path, p.next().text)
		case p.isOp("[") && (p.toks[p.i+1].kind == tSQuote || p.toks[p.i+1].kind == tDQuote || p.toks[p.i+1].kind == tNumber):
			p.next()
			path = append(path, p.next().text)
			if err := p.expect("]"); err != nil {
				return nil, err
			}
		default:
			if len(path) == 0 {
				return nil, fmt.Errorf("@ without a field")
			}
			return &nField{path: path}, nil
		}
	}
}

// variable keeps a template variable ($name, ${name:format}) as written:
// Grafana and Relay expand it in expressions (see docs/queries.md).
func (p *exprParser) variable(dollar token) (node, error) {
	if p.isOp("{") {
		var b strings.Builder
		b.WriteString("${")
		p.next()
		for !p.isOp("}") {
			t := p.next()
			if t.kind == tEOF {
				return nil, fmt.Errorf("unterminated ${")
			}
			b.WriteString(t.text)
		}
		p.next()
		b.WriteString("}")
		return &nRaw{s: b.String()}, nil
	}
	if t := p.peek(); t.kind == tWord {
		p.next()
		return &nRaw{s: "$" + t.text}, nil
	}
	return nil, fmt.Errorf("unexpected $")
}

func splitPath(s string) []string { return strings.Split(s, ".") }
