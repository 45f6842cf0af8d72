package transform

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// gjson paths come from callers (root, column selectors) and gjson evaluates
// them in one call that no deadline or size limit can interrupt. Most of the
// syntax only selects parts of the input, so its result is at most about the
// input's size; two features are not bounded that way:
//
//   - modifiers: @fromstr parses text as JSON that the reader's depth limit
//     never saw, @pretty indents by depth (100,000-deep input → gigabytes),
//     @tostr, @group and @dig repeat their input. Only those whose output is
//     at most their input are allowed, and without arguments.
//   - multipaths ([a,b], {a,b}) repeat what they select: a path's fan-out is
//     the product of their arities, which Run holds against the byte limit
//     (fan-out × input size ≤ MaxInputBytes): the sum of a multipath's
//     components, multiplied along the path.

// allowedModifiers are the gjson modifiers whose result is at most their input.
var allowedModifiers = []string{"this", "reverse", "flatten", "keys", "values", "valid", "ugly", "join"}

// maxPathFanout bounds how many times one path may repeat the data.
const maxPathFanout = 64

// CheckPath reports whether a caller-supplied gjson path can be evaluated
// within bounds: only the modifiers @this, @reverse, @flatten, @keys, @values,
// @valid, @ugly and @join, without arguments, and multipaths that repeat the
// data at most 64 times. The error is a *ValidationError without a Path;
// callers set the field's name (e.g. "pagination.cursorPath").
func CheckPath(path string) error {
	if _, err := pathFanout(path); err != nil {
		return err
	}
	return nil
}

// checkPathAt is CheckPath with the error located at field.
func checkPathAt(field, path string) *ValidationError {
	_, err := pathFanout(path)
	if err != nil {
		err.Path = field
	}
	return err
}

// pathFanout scans a gjson path conservatively (an '@' that might start a
// modifier is treated as one) and returns how many times its result may
// repeat the data it selects.
func pathFanout(path string) (int, *ValidationError) {
	// A multipath's fan-out is the sum of its components'; within a path,
	// one after the other, fan-outs multiply. Query brackets select, so they
	// add nothing.
	type frame struct {
		multi bool
		sum   int // fan-out of the finished components
		cur   int // fan-out of the component being read
	}
	stack := []frame{{cur: 1}}
	closeOne := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if top.multi {
			parent := &stack[len(stack)-1]
			parent.cur = min(parent.cur*(top.sum+top.cur), maxPathFanout+1)
		}
	}
	escaped := -1 // index of the last character escaped by a backslash
	for i := 0; i < len(path); i++ {
		c := path[i]
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
			if !contains(allowedModifiers, name) {
				return 0, &ValidationError{Message: fmt.Sprintf(
					"the gjson modifier @%s is not supported (supported modifiers: @%s)", name, strings.Join(allowedModifiers, ", @"))}
			}
			i += len(name)
			if i+1 < len(path) && path[i+1] == ':' {
				return 0, &ValidationError{Message: fmt.Sprintf("the gjson modifier @%s does not take arguments here", name)}
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
			top.sum, top.cur = min(top.sum+top.cur, maxPathFanout+1), 1
		case (c == ']' || c == '}' || c == ')') && len(stack) > 1:
			closeOne()
		}
	}
	for len(stack) > 1 { // gjson reads an unclosed multipath to the end
		closeOne()
	}
	if fanout := stack[0].cur; fanout <= maxPathFanout {
		return fanout, nil
	}
	return 0, &ValidationError{Message: fmt.Sprintf("multipaths in this path repeat the data more than %d times", maxPathFanout)}
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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
