package transform

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/types"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// Per-evaluation (one row) bounds on an expression's work. expr-lang's VM
// counts only what it allocates itself (ranges, array and map literals,
// sorting) against its memory budget; loops over data and text built by
// functions it does not see, so the guard below meters those.
const (
	exprMemoryBudget = 100_000   // VM memory units: elements of ranges, literals, sorted arrays
	exprMaxLoopSteps = 1_000_000 // iterations of predicate bodies (filter, map, all, reduce, ...)
	// Text made by one evaluation is bounded by Limits.MaxInputBytes, or this
	// when the input limit is smaller.
	exprMinTextBudget = 1 << 20
)

// meterVar is the environment key through which guarded calls reach the
// evaluation's meter. It cannot be written as an identifier in an expression.
const meterVar = "\x00meter"

var errBudget = errors.New("expression exceeded its budget")

// budgetError says which bound an expression exceeded.
type budgetError struct{ what string }

func (e *budgetError) Error() string { return errBudget.Error() + ": " + e.what }
func (e *budgetError) Unwrap() error { return errBudget }

// errDeadline stops an evaluation whose run's context is done.
var errDeadline = errors.New("the transformation's deadline passed during the evaluation")

// exprMeter counts one evaluation's work; evaluator resets it for every row.
type exprMeter struct {
	done      <-chan struct{}
	steps     int
	bytesLeft int64
	maxBytes  int64
	sinceDone int // work since the last look at done
	err       error
}

func (m *exprMeter) reset() {
	m.steps, m.bytesLeft, m.err = 0, m.maxBytes, nil
}

// charge adds one loop step (or none) and n bytes of text; it returns the
// error that stops the evaluation, if any.
func (m *exprMeter) charge(steps int, n int64) error {
	m.steps += steps
	m.bytesLeft -= n
	switch {
	case m.steps > exprMaxLoopSteps:
		m.err = &budgetError{fmt.Sprintf("more than %d loop iterations for one row", exprMaxLoopSteps)}
	case m.bytesLeft < 0:
		m.err = &budgetError{fmt.Sprintf("more than %d bytes of text for one row", m.maxBytes)}
	}
	if m.sinceDone += steps + int(n>>10); m.sinceDone >= 1024 {
		m.sinceDone = 0
		select {
		case <-m.done:
			m.err = errDeadline
		default:
		}
	}
	return m.err
}

// guardOptions are the compile options that meter an expression.
func guardOptions() []expr.Option {
	return []expr.Option{
		guardFunction("$step", func(m *exprMeter, v any) error { return m.charge(1, textSize(v)) }),
		guardFunction("$text", func(m *exprMeter, v any) error { return m.charge(0, textSize(v)) }),
		guardFunction("$deep", func(m *exprMeter, v any) error { return m.charge(0, deepSize(v, m.bytesLeft+1)) }),
		guardFunction("$json", func(m *exprMeter, v any) error {
			// fromJSON's input is text from the data, which the reader's depth
			// limit never saw as JSON.
			s, _ := v.(string)
			if err := jsonscan.Validate([]byte(s)); err != nil {
				return fmt.Errorf("fromJSON: %s", err.Msg)
			}
			return m.charge(0, int64(len(s)))
		}),
		func(c *conf.Config) {
			c.Functions["$replace"] = &builtin.Function{Name: "$replace", Func: guardedReplace,
				Types: []reflect.Type{reflect.TypeOf(new(func(*exprMeter, string, string, string) string)).Elem()}}
		},
		expr.Patch(guardPatcher{}),
	}
}

// guardFunction declares name(meter, v) returning v unchanged after check,
// with v's static type, so wrapping a node does not change type checking.
func guardFunction(name string, check func(*exprMeter, any) error) expr.Option {
	return func(c *conf.Config) {
		c.Functions[name] = &builtin.Function{
			Name: name,
			Func: func(args ...any) (any, error) {
				m, _ := args[0].(*exprMeter)
				if m == nil {
					return nil, fmt.Errorf("%s: no meter", name)
				}
				if err := check(m, args[1]); err != nil {
					return nil, err
				}
				return args[1], nil
			},
			Validate: func(args []reflect.Type) (reflect.Type, error) {
				if len(args) != 2 {
					return nil, fmt.Errorf("%s: 2 arguments expected", name)
				}
				return args[1], nil
			},
		}
	}
}

// guardedReplace is replace(s, old, new) with its result size checked first:
// replace(s, "", t) grows s by len(t) per character.
func guardedReplace(args ...any) (any, error) {
	m, _ := args[0].(*exprMeter)
	s, _ := args[1].(string)
	old, _ := args[2].(string)
	repl, _ := args[3].(string)
	n := strings.Count(s, old)
	if old == "" {
		n = utf8.RuneCountInString(s) + 1
	}
	if grow := int64(n) * int64(len(repl)-len(old)); grow > 0 {
		if err := m.charge(0, grow); err != nil {
			return nil, err
		}
	}
	return strings.ReplaceAll(s, old, repl), nil
}

// guardPatcher rewrites the checked AST so the meter sees the work:
//   - every predicate body (the loop of filter, map, all, reduce, sortBy, ...)
//     counts one step and the text it returns;
//   - string concatenation and functions returning text count the text made;
//   - toJSON, string and join count the size of their input before they run
//     (their output grows with it: toJSON([s, s, s, ...]));
//   - fromJSON checks the depth of its input;
//   - replace(s, old, new) counts its growth before it runs.
type guardPatcher struct{}

func (guardPatcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		n.Node = guardCall("$step", n.Node)
	case *ast.BinaryNode:
		if n.Operator == "+" && maybeText(n.Type()) {
			ast.Patch(node, guardCall("$text", n))
		}
	case *ast.BuiltinNode:
		switch n.Name {
		case "toJSON", "string", "join":
			if len(n.Arguments) > 0 {
				n.Arguments[0] = guardCall("$deep", n.Arguments[0])
			}
		case "fromJSON":
			if len(n.Arguments) == 1 {
				n.Arguments[0] = guardCall("$json", n.Arguments[0])
			}
		case "replace":
			if len(n.Arguments) == 3 { // the 4-argument form replaces at most n times
				ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: "$replace"},
					Arguments: append([]ast.Node{&ast.IdentifierNode{Value: meterVar}}, n.Arguments...)})
				return
			}
		}
		if maybeText(n.Type()) {
			ast.Patch(node, guardCall("$text", n))
		}
	}
}

func guardCall(name string, arg ast.Node) *ast.CallNode {
	return &ast.CallNode{Callee: &ast.IdentifierNode{Value: name}, Arguments: []ast.Node{&ast.IdentifierNode{Value: meterVar}, arg}}
}

// maybeText reports whether a node's static type may hold a string.
func maybeText(t reflect.Type) bool {
	return t == nil || t.Kind() == reflect.String || t.Kind() == reflect.Interface
}

// meterType is the meter's type in the type-checking environment.
var meterType = types.TypeOf(&exprMeter{})

// textSize is the size of a string value (other values are not text).
func textSize(v any) int64 {
	if s, ok := v.(string); ok {
		return int64(len(s))
	}
	return 0
}

// deepSize estimates the bytes of v's JSON or text form, stopping once it
// passes limit, so a huge value costs no more than the limit to measure.
func deepSize(v any, limit int64) int64 {
	var n int64
	var walk func(v any)
	walk = func(v any) {
		if n > limit {
			return
		}
		switch x := v.(type) {
		case string:
			n += int64(len(x)) + 2
		case []any:
			n += 2
			for _, e := range x {
				n++
				walk(e)
				if n > limit {
					return
				}
			}
		case map[string]any:
			n += 2
			for k, e := range x {
				n += int64(len(k)) + 4
				walk(e)
				if n > limit {
					return
				}
			}
		case []string:
			for _, e := range x {
				n += int64(len(e)) + 3
			}
		case []float64, []int:
			n += int64(reflect.ValueOf(x).Len()) * 24
		default:
			n += 24
		}
	}
	walk(v)
	return n
}
