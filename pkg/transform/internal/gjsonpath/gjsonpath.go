// Package gjsonpath checks caller-supplied gjson paths before they are
// evaluated.
//
// gjson paths come from callers (root, column selectors) and gjson evaluates
// them in one call that no deadline or size limit can interrupt. Most of the
// syntax only selects parts of the input, so its result is at most about the
// input's size; two features are not bounded that way:
//
//   - modifiers: @fromstr parses text as JSON that the reader's depth limit
//     never saw, @pretty indents by depth (100,000-deep input → gigabytes),
//     @tostr, @group and @dig repeat their input. Only those whose output is
//     at most their input are allowed, and without arguments.
//   - multipaths ([a,b], {a,b}) repeat what they select. A path's fan-out
//     (a multipath's is the sum of its parts', parts in sequence multiply) is
//     capped here, and the transformation holds fan-out × input size against
//     its byte limit before gjson makes the copies.
package gjsonpath

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// AllowedModifiers are the gjson modifiers whose result is at most their input.
var AllowedModifiers = []string{"this", "reverse", "flatten", "keys", "values", "valid", "ugly", "join"}

// MaxLength and MaxSteps bound a path: gjson evaluates each component of a
// chain ("@this|@this|…") one call deeper on the stack, so a long enough path
// would overflow it and kill the process (issue 21). Counted conservatively:
// a dot or bracket inside a quoted key counts too.
const (
	MaxLength = 4096
	MaxSteps  = 256
)

// MaxFanout bounds how many times one path may repeat the data.
const MaxFanout = 64

// Fanout scans a gjson path conservatively (an '@' that might start a
// modifier is treated as one) and returns how many times its result may
// repeat the data it selects.
func Fanout(path string) (int, error) {
	// A multipath's fan-out is the sum of its components'; within a path,
	// one after the other, fan-outs multiply. Query brackets select, so they
	// add nothing.
	type frame struct {
		multi bool
		sum   int // fan-out of the finished components
		cur   int // fan-out of the component being read
	}
	if len(path) > MaxLength {
		return 0, fmt.Errorf("the path is %d bytes long; at most %d", len(path), MaxLength)
	}
	stack := []frame{{cur: 1}}
	steps := 0 // components: gjson evaluates one nested call per '.', '|' or bracket
	closeOne := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if top.multi {
			parent := &stack[len(stack)-1]
			parent.cur = min(parent.cur*(top.sum+top.cur), MaxFanout+1)
		}
	}
	escaped := -1 // index of the last character escaped by a backslash
	for i := 0; i < len(path); i++ {
		c := path[i]
		if strings.IndexByte(".|[{(", c) >= 0 {
			if steps++; steps > MaxSteps {
				return 0, fmt.Errorf("the path has more than %d components (dots, pipes, brackets)", MaxSteps)
			}
		}
		start := i == 0 || i-1 != escaped && strings.IndexByte(".|[{,(:=<>!%~ \t", path[i-1]) >= 0
		switch {
		case c == '\\':
			i++ // the next character is literal
			escaped = i
		case c == '"':
			i = skipQuoted(path, i)
		case c == '@' && start:
			name := modifierName(path[i+1:])
			if !gjson.ModifierExists(name, nil) {
				continue // a key such as "@timestamp"
			}
			if !slices.Contains(AllowedModifiers, name) {
				return 0, fmt.Errorf(
					"the gjson modifier @%s is not supported (supported modifiers: @%s)", name, strings.Join(AllowedModifiers, ", @"))
			}
			i += len(name)
			if i+1 < len(path) && path[i+1] == ':' {
				return 0, fmt.Errorf("the gjson modifier @%s does not take arguments here", name)
			}
		case c == '!' && start && i+1 < len(path) && strings.IndexByte("{[\"", path[i+1]) >= 0:
			i = skipLiteral(path, i+1) // a JSON literal: no paths inside
		case c == '#' && i+1 < len(path) && (path[i+1] == '(' || path[i+1] == '['):
			stack = append(stack, frame{cur: 1})
			i++
		case (c == '[' || c == '{') && start:
			stack = append(stack, frame{multi: true, cur: 1})
		case c == ',' && len(stack) > 1 && stack[len(stack)-1].multi:
			top := &stack[len(stack)-1]
			top.sum, top.cur = min(top.sum+top.cur, MaxFanout+1), 1
		case (c == ']' || c == '}' || c == ')') && len(stack) > 1:
			closeOne()
		}
	}
	for len(stack) > 1 { // gjson reads an unclosed multipath to the end
		closeOne()
	}
	if fanout := stack[0].cur; fanout <= MaxFanout {
		return fanout, nil
	}
	return 0, fmt.Errorf("multipaths in this path repeat the data more than %d times", MaxFanout)
}

// modifierName is the name after '@', up to the first character that ends a
// path component.
func modifierName(s string) string {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(".|:,()[]{}\"'=<>!%~ \t\r\n\\#*?", s[i]) >= 0 {
			return s[:i]
		}
	}
	return s
}

// skipQuoted returns the index of the quote closing the string opened at s[i].
func skipQuoted(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(s)
}

// skipLiteral returns the index of the last character of the JSON value
// starting at s[i] (a string, or brackets balanced outside strings).
func skipLiteral(s string, i int) int {
	if s[i] == '"' {
		return skipQuoted(s, i)
	}
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '"':
			i = skipQuoted(s, i)
		case '[', '{':
			depth++
		case ']', '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(s)
}
