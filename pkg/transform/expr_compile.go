package transform

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/patcher"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"
)

// compiledExpr is an expression compiled once for a given schema.
// vm.Program is immutable, so it is shared by concurrent runs.
type compiledExpr struct {
	src  string
	prog *vm.Program
	vars []string // columns the expression reads; only these are put in the env
	out  colType  // result type known at compile time, tUnknown when dynamic
}

// Builtins that can allocate without bound per row are disabled; the VM's
// memory budget covers ranges and the like, but not a column of huge strings.
var disabledBuiltins = []string{"repeat"}

const maxExprNodes = 2000

var (
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(time.Duration(0))
)

// compileExpr type-checks src against the schema (columns as variables:
// number → float64, string, boolean → bool, time → time.Time, json → any).
// Fields whose names are not identifiers are reachable as $env["my-field"].
func compileExpr(src string, schema []field, asBool bool, path string) (*compiledExpr, *ValidationError) {
	env := make(types.Map, len(schema)+1)
	for _, f := range schema {
		env[f.name] = exprType(f.typ)
	}
	env[meterVar] = meterType
	opts := []expr.Option{
		expr.Env(env),
		expr.MaxNodes(maxExprNodes),
		// date("2024-05-01") and now() in UTC like every time column, not in
		// whatever zone the plugin process happens to run in.
		expr.Patch(patcher.WithTimezone{Location: time.UTC}),
	}
	for _, b := range disabledBuiltins {
		opts = append(opts, expr.DisableBuiltin(b))
	}
	opts = append(opts, guardOptions()...)
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, exprError(path, err, schema)
	}
	ce := &compiledExpr{src: src, prog: prog, out: goType(prog.Node().Type())}
	ce.vars = referencedColumns(prog, schema)
	return ce, nil
}

func exprType(t colType) types.Type {
	switch t {
	case tNumber:
		return types.Float64
	case tString:
		return types.String
	case tBool:
		return types.Bool
	case tTime:
		return types.TypeOf(time.Time{})
	case tInt64:
		return types.Int
	case tUint64:
		return types.Uint64
	}
	return types.Any
}

// goType maps an expression's static result type to a column type.
func goType(t reflect.Type) colType {
	if t == nil {
		return tUnknown
	}
	switch {
	case t == timeType:
		return tTime
	case t == durationType:
		return tNumber
	}
	switch t.Kind() {
	case reflect.Bool:
		return tBool
	case reflect.String:
		return tString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return tNumber
	}
	return tUnknown
}

type identCollector struct{ names map[string]bool }

func (v *identCollector) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		v.names[id.Value] = true
	}
}

// referencedColumns lists the schema columns an expression reads, so the
// per-row environment holds only those (building values costs allocations).
// $env makes every column reachable.
func referencedColumns(prog *vm.Program, schema []field) []string {
	c := &identCollector{names: map[string]bool{}}
	node := prog.Node()
	ast.Walk(&node, c)
	var vars []string
	for _, f := range schema {
		if c.names[f.name] || c.names["$env"] {
			vars = append(vars, f.name)
		}
	}
	return vars
}

// exprError turns expr-lang's multi-line error into a one-line message for the
// editor: `unknown name "prce" (did you mean "price"?)`, or the checker's
// message with the character position.
func exprError(path string, err error, schema []field) *ValidationError {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return verr(path, "%s", firstLine(err.Error()))
	}
	msg := fe.Message
	if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		msg = fmt.Sprintf("unknown name %q", name)
		if s := suggest(name, schema); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return verr(path, "%s", msg)
	}
	if fe.From == 0 && fe.To == 0 { // about the whole expression
		return verr(path, "%s", firstLine(msg))
	}
	return verr(path, "%s (at character %d)", firstLine(msg), fe.Column+1)
}

// checkSyntax parses an expression without a schema: with inferred columns
// the names are only known at Run, but syntax errors can be reported early.
func checkSyntax(src, path string) *ValidationError {
	if _, err := parser.Parse(src); err != nil {
		return exprError(path, err, nil)
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// suggest returns the schema field closest to name, if close enough to be a typo.
func suggest(name string, schema []field) string {
	best, bestD := "", 3
	for _, f := range schema {
		if d := editDistance(strings.ToLower(name), strings.ToLower(f.name)); d < bestD {
			best, bestD = f.name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// evaluator runs one expression over rows. It is per Run (the VM and env map
// are reused between rows and are not safe for concurrent use).
type evaluator struct {
	ce    *compiledExpr
	path  string // of the expression in the pipeline, for errors
	cols  []*column
	env   map[string]any
	vm    vm.VM
	meter exprMeter
	done  <-chan struct{}

	errs     int // rows whose evaluation failed although no input was null
	firstErr string
}

// newEvaluator prepares ce for the rows of t; the run's context and limits
// bound each evaluation (see exprMeter).
func newEvaluator(rs *runState, ce *compiledExpr, t *table, path string) *evaluator {
	ev := &evaluator{ce: ce, path: path, env: make(map[string]any, len(ce.vars)+1), done: rs.ctx.Done()}
	ev.vm.MemoryBudget = exprMemoryBudget
	ev.meter = exprMeter{done: ev.done, maxBytes: max(rs.lim.MaxInputBytes, exprMinTextBudget)}
	ev.env[meterVar] = &ev.meter
	for _, name := range ce.vars {
		if c := t.col(name); c != nil {
			ev.cols = append(ev.cols, c)
		}
	}
	return ev
}

// eval evaluates row i. Null inputs propagate like SQL NULL: if evaluation
// fails and one of the referenced values is null (`price > 10` with price
// null), the result is null, silently. Other failures are counted for a
// notice. An evaluation that exceeds its budget, or a passed deadline, stops
// the run: err is then a *Error naming the expression.
func (ev *evaluator) eval(i int) (out any, ok bool, err error) {
	select {
	case <-ev.done:
		return nil, false, ev.stopped(i, errDeadline)
	default:
	}
	ev.meter.reset()
	hasNull := false
	for _, c := range ev.cols {
		v := c.value(i)
		if v == nil {
			hasNull = true
		}
		ev.env[c.name] = v
	}
	out, err = ev.vm.Run(ev.ce.prog, ev.env)
	if err != nil {
		if ev.meter.err != nil {
			return nil, false, ev.stopped(i, ev.meter.err)
		}
		var fe *file.Error
		if errors.As(err, &fe) && fe.Message == "memory budget exceeded" {
			return nil, false, ev.stopped(i, &budgetError{fmt.Sprintf(
				"more than %d elements of ranges, arrays and maps for one row", exprMemoryBudget)})
		}
		if !hasNull {
			ev.errs++
			if ev.firstErr == "" {
				var fe *file.Error
				if errors.As(err, &fe) {
					ev.firstErr = firstLine(fe.Message)
				} else {
					ev.firstErr = firstLine(err.Error())
				}
			}
		}
		return nil, false, nil
	}
	return out, true, nil
}

// stopped is the run's error for an evaluation stopped at row i.
func (ev *evaluator) stopped(i int, cause error) *Error {
	if errors.Is(cause, errDeadline) {
		return &Error{Code: CodeTimeout, Path: ev.path,
			Message: fmt.Sprintf("transformation timed out while evaluating the expression (row %d)", i+1), err: cause}
	}
	return &Error{Code: CodeExprTooCostly, Path: ev.path, Message: cause.Error() + fmt.Sprintf(" (row %d)", i+1), err: cause}
}

func (ev *evaluator) report(ns *notices, path string) {
	if ev.errs > 0 {
		ns.warn("%s: the expression failed on %d %s (first error: %s)", path, ev.errs, plural(ev.errs, "row", "rows"), ev.firstErr)
	}
}
