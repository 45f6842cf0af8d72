package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// exprCtx carries what emitting needs: the names of the columns that exist
// as such (a dotted UQL name that is a column is that column, otherwise a
// path into a JSON column).
type exprCtx struct {
	columns map[string]bool
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// exprReserved are names expr-lang reads as its own (builtins, operators),
// so a field so named is written $env["name"].
var exprReserved = map[string]bool{"in": true, "not": true, "and": true, "or": true, "matches": true, "contains": true,
	"startsWith": true, "endsWith": true, "true": true, "false": true, "nil": true, "let": true, "if": true, "else": true,
	"len": true, "all": true, "none": true, "any": true, "one": true, "filter": true, "map": true, "count": true, "sum": true,
	"find": true, "date": true, "now": true, "duration": true, "string": true, "int": true, "float": true, "abs": true,
	"max": true, "min": true, "mean": true, "median": true, "upper": true, "lower": true, "trim": true, "split": true,
	"type": true, "keys": true, "values": true, "first": true, "last": true, "get": true, "round": true, "floor": true,
	"ceil": true, "env": true, "toJSON": true, "fromJSON": true, "join": true, "reduce": true, "sort": true, "concat": true,
	"repeat": true, "replace": true, "timezone": true, "bitand": true, "bitor": true, "groupBy": true, "sortBy": true}

// exprKeywords cannot follow a "." in expr-lang.
var exprKeywords = map[string]bool{"in": true, "not": true, "and": true, "or": true, "matches": true, "contains": true,
	"startsWith": true, "endsWith": true, "true": true, "false": true, "nil": true, "let": true, "if": true, "else": true}

// fieldRef renders a field: a column whose name is the whole dotted text,
// else the first part as the column and the rest as member access.
func (c *exprCtx) fieldRef(path []string) string {
	whole := strings.Join(path, ".")
	if c != nil && c.columns[whole] && len(path) > 1 {
		return envRef(whole)
	}
	b := envRef(path[0])
	for _, k := range path[1:] {
		if identRe.MatchString(k) && !exprKeywords[k] {
			b += "." + k
		} else {
			b += "[" + strconv.Quote(k) + "]"
		}
	}
	return b
}

func envRef(name string) string {
	if identRe.MatchString(name) && !exprReserved[name] {
		return name
	}
	return "$env[" + strconv.Quote(name) + "]"
}

func (n *nField) emit(c *exprCtx) (string, error) { return c.fieldRef(n.path), nil }
func (n *nStr) emit(*exprCtx) (string, error)     { return strconv.Quote(n.s), nil }
func (n *nNum) emit(*exprCtx) (string, error)     { return n.s, nil }
func (n *nLit) emit(*exprCtx) (string, error)     { return n.s, nil }
func (n *nRaw) emit(*exprCtx) (string, error)     { return n.s, nil }

func (n *nBin) emit(c *exprCtx) (string, error) {
	l, err := n.l.emit(c)
	if err != nil {
		return "", err
	}
	r, err := n.r.emit(c)
	if err != nil {
		return "", err
	}
	if n.op == "matches" {
		return "(" + "string(" + l + ") matches " + r + ")", nil
	}
	return "(" + l + " " + n.op + " " + r + ")", nil
}

func (n *nUnary) emit(c *exprCtx) (string, error) {
	x, err := n.x.emit(c)
	if err != nil {
		return "", err
	}
	if n.op == "!" {
		return "!(" + x + ")", nil
	}
	return "(-" + x + ")", nil
}

func (n *nList) emit(c *exprCtx) (string, error) {
	parts := make([]string, len(n.items))
	for i, it := range n.items {
		s, err := it.emit(c)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "[" + strings.Join(parts, ", ") + "]", nil
}

func (n *nIn) emit(c *exprCtx) (string, error) {
	x, err := n.x.emit(c)
	if err != nil {
		return "", err
	}
	l, err := n.list.emit(c)
	if err != nil {
		return "", err
	}
	if _, ok := n.list.(*nList); !ok {
		l = "[" + l + "]" // a template variable holding the values
	}
	s := "(" + x + " in " + l + ")"
	if n.neg {
		return "!" + s, nil
	}
	return s, nil
}

// exprFuncs maps the source dialects' scalar functions to expr-lang; a
// function missing here is reported by name.
var exprFuncs = map[string]func(args []string) (string, error){
	"toupper":  unaryFn("upper(string(%s))"),
	"tolower":  unaryFn("lower(string(%s))"),
	"tostring": unaryFn("string(%s)"),
	"tonumber": unaryFn("float(%s)"),
	"todouble": unaryFn("float(%s)"),
	"tofloat":  unaryFn("float(%s)"),
	"toint":    unaryFn("int(float(%s))"),
	"tolong":   unaryFn("int(float(%s))"),
	"trim":     unaryFn("trim(string(%s))"),
	"strlen":   unaryFn("len(string(%s))"),
	"floor":    unaryFn("floor(%s)"),
	"ceil":     unaryFn("ceil(%s)"),
	"round":    unaryFn("round(%s)"),
	"abs":      unaryFn("abs(%s)"),
	// todatetime reads RFC 3339 and date-only text (expr-lang's date()).
	"todatetime": unaryFn("date(%s)"),
	"strcat": func(a []string) (string, error) {
		if len(a) == 0 {
			return "", fmt.Errorf("strcat needs arguments")
		}
		parts := make([]string, len(a))
		for i, x := range a {
			if strings.HasPrefix(x, `"`) {
				parts[i] = x // a string literal
			} else {
				parts[i] = "string(" + x + ")"
			}
		}
		return "(" + strings.Join(parts, " + ") + ")", nil
	},
	"sum": foldFn("+"), "diff": foldFn("-"), "mul": foldFn("*"), "div": foldFn("/"),
	"percentage": func(a []string) (string, error) {
		if len(a) != 2 {
			return "", fmt.Errorf("percentage takes 2 arguments")
		}
		return "(" + a[0] + " / " + a[1] + " * 100)", nil
	},
	"pow": func(a []string) (string, error) {
		if len(a) != 2 {
			return "", fmt.Errorf("pow takes 2 arguments")
		}
		return "(" + a[0] + " ** " + a[1] + ")", nil
	},
	"replace_string": func(a []string) (string, error) {
		if len(a) != 3 {
			return "", fmt.Errorf("replace_string takes 3 arguments")
		}
		return "replace(string(" + a[0] + "), " + a[1] + ", " + a[2] + ")", nil
	},
}

func unaryFn(format string) func([]string) (string, error) {
	return func(a []string) (string, error) {
		if len(a) != 1 {
			return "", fmt.Errorf("takes one argument")
		}
		return fmt.Sprintf(format, a[0]), nil
	}
}

func foldFn(op string) func([]string) (string, error) {
	return func(a []string) (string, error) {
		if len(a) < 2 {
			return "", fmt.Errorf("needs at least 2 arguments")
		}
		return "(" + strings.Join(a, " "+op+" ") + ")", nil
	}
}

// unsupportedFunc names a function of the source language Relay has no
// equivalent for.
type unsupportedFunc struct{ name string }

func (e *unsupportedFunc) Error() string { return "function " + e.name + " has no Relay equivalent" }

func (n *nCall) emit(c *exprCtx) (string, error) {
	f := exprFuncs[n.name]
	if f == nil {
		return "", &unsupportedFunc{name: n.name}
	}
	args := make([]string, len(n.args))
	for i, a := range n.args {
		s, err := a.emit(c)
		if err != nil {
			return "", err
		}
		args[i] = s
	}
	s, err := f(args)
	if err != nil {
		return "", fmt.Errorf("%s: %v", n.name, err)
	}
	return s, nil
}

// translateExpr parses src in a dialect and renders it as expr-lang.
func translateExpr(src string, mode exprMode, c *exprCtx) (string, error) {
	n, err := parseExprText(src, mode)
	if err != nil {
		return "", err
	}
	s, err := n.emit(c)
	return trimOuter(s), err
}
