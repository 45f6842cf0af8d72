package migrate

import (
	"fmt"
	"strings"
)

// The source plugins' small languages — UQL, Infinity's filter and computed
// column expressions, JSONPath filter scripts — share one tokenizer. What a
// double-quoted token means differs: in UQL it names a field, elsewhere it is
// a string; the parser decides, the lexer only records the quote.

type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // parse-json, by, and, toupper, price (a bare name)
	tDQuote         // "text"
	tSQuote         // 'text'
	tNumber         // 12, 1.5, 1e3
	tOp             // == != >= <= > < = + - * / % ( ) , | [ ] ! && || @ . $ { }
)

type token struct {
	kind tokKind
	text string // the unquoted text for quotes, else as written
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tDQuote:
		return `"` + t.text + `"`
	case tSQuote:
		return "'" + t.text + "'"
	}
	return t.text
}

// lex splits src into tokens. Words may contain "-" between letters so that
// UQL's commands (parse-json, project-away, mv-expand) are one word; an
// arithmetic minus between two bare words needs spaces (a - b), as in UQL,
// whose fields are quoted anyway.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'' || c == '`':
			text, end, err := lexQuoted(src, i)
			if err != nil {
				return nil, err
			}
			kind := tSQuote
			if c == '"' || c == '`' {
				kind = tDQuote
			}
			out = append(out, token{kind: kind, text: text, pos: i})
			i = end
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' && !prevIsValue(out):
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' ||
				(src[j] == 'e' || src[j] == 'E') && j+1 < len(src) && (src[j+1] >= '0' && src[j+1] <= '9' || src[j+1] == '-' || src[j+1] == '+') ||
				(src[j] == '-' || src[j] == '+') && j > i && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			out = append(out, token{kind: tNumber, text: src[i:j], pos: i})
			i = j
		case isWordStart(c):
			j := i + 1
			for j < len(src) && (isWordChar(src[j]) || src[j] == '-' && j+1 < len(src) && isLetter(src[j+1]) && isLetter(src[j-1])) {
				j++
			}
			out = append(out, token{kind: tWord, text: src[i:j], pos: i})
			i = j
		default:
			op := ""
			for _, two := range []string{"==", "!=", ">=", "<=", "&&", "||", "=~", "!~"} {
				if strings.HasPrefix(src[i:], two) {
					op = two
					break
				}
			}
			if op == "" {
				if !strings.ContainsRune("=+-*/%(),|[]!<>@.${}:?;&~^", rune(c)) {
					return nil, fmt.Errorf("unexpected character %q at %d", c, i)
				}
				op = string(c)
			}
			out = append(out, token{kind: tOp, text: op, pos: i})
			i += len(op)
		}
	}
	return append(out, token{kind: tEOF, pos: len(src)}), nil
}

// prevIsValue: ".5" after a value is a member access, not a number.
func prevIsValue(out []token) bool {
	if len(out) == 0 {
		return false
	}
	p := out[len(out)-1]
	return p.kind == tWord || p.kind == tDQuote || p.kind == tSQuote || p.kind == tOp && (p.text == ")" || p.text == "]")
}

func lexQuoted(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\\' && j+1 < len(src):
			j++
			switch src[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(src[j])
			}
		case src[j] == q:
			return b.String(), j + 1, nil
		default:
			b.WriteByte(src[j])
		}
	}
	return "", 0, fmt.Errorf("unterminated string starting at %d", i)
}

func isLetter(c byte) bool    { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWordStart(c byte) bool { return isLetter(c) || c == '_' }
func isWordChar(c byte) bool  { return isWordStart(c) || c >= '0' && c <= '9' }
