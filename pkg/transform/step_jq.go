package transform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/itchyny/gojq"
	"github.com/tidwall/gjson"
)

// JQStep runs a jq program (gojq) over the table: "." is the array of rows
// (objects of the fields; times as RFC 3339 text), and every value it yields
// is a row: an object, or an array of objects. Columns are then inferred
// again, as for a JSON body. The program has no I/O: input, inputs, env,
// $ENV, input_filename, debug, stderr, halt, modules are refused.
type JQStep struct {
	Expr string `json:"expr,omitempty"`
}

const StepJQ = "jq"

func init() {
	registerStep(&stepKind{typ: StepJQ, order: 70,
		fields: []StepField{{Name: "expr", Type: "string", Required: true,
			Description: "jq program over the array of rows; yields rows (objects, or arrays of objects)"}},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s JQStep
			var err *ValidationError
			s.Expr, err = o.str("expr")
			return &s, err
		}})
}

func (s *JQStep) StepType() string { return StepJQ }

func (s *JQStep) MarshalJSON() ([]byte, error) {
	type plain JQStep
	return marshalStep(StepJQ, (*plain)(s))
}

func (s *JQStep) validate(path string) *ValidationError {
	_, err := compileJQ(s.Expr, path+".expr")
	return err
}

// plan compiles the program. The fields it yields are known only once it
// has run, so it returns no schema: the steps after it are planned then.
func (s *JQStep) plan(_ []field, path string) (stepRun, []field, *ValidationError) {
	code, err := compileJQ(s.Expr, path+".expr")
	if err != nil {
		return nil, nil, err
	}
	return &jqRun{code: code, path: path}, nil, nil
}

// jqRefused are the builtins that read outside the data or write anywhere.
var jqRefused = map[string]bool{"input": true, "inputs": true, "env": true, "$ENV": true, "input_filename": true,
	"input_line_number": true, "debug": true, "stderr": true, "halt": true, "halt_error": true, "$__loc__": true,
	"modulemeta": true, "get_search_list": true, "get_prog_origin": true, "get_jq_origin": true}

func compileJQ(src, path string) (*gojq.Code, *ValidationError) {
	if err := checkExprText(src, path); err != nil {
		return nil, err
	}
	q, err := gojq.Parse(src)
	if err != nil {
		var pe *gojq.ParseError
		if errors.As(err, &pe) {
			line, col := lineColumn(src, pe.Offset)
			return nil, verr(path, "jq: line %d, column %d: %s", line, col, firstLine(err.Error()))
		}
		return nil, verr(path, "jq: %s", firstLine(err.Error()))
	}
	if len(q.Imports) > 0 {
		return nil, verr(path, "jq: modules (import, include) are not supported")
	}
	if name := findFunc(reflect.ValueOf(q), jqRefused); name != "" {
		return nil, verr(path, "jq: %s is not supported (no input, environment or output besides the rows)", name)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, verr(path, "jq: %s", firstLine(err.Error()))
	}
	return code, nil
}

var jqFuncType = reflect.TypeOf(gojq.Func{})

// findFunc walks gojq's AST for a call (or variable) named in names.
func findFunc(v reflect.Value, names map[string]bool) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return findFunc(v.Elem(), names)
	case reflect.Struct:
		if v.Type() == jqFuncType {
			if n := v.FieldByName("Name").String(); names[n] {
				return n
			}
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				if n := findFunc(v.Field(i), names); n != "" {
					return n
				}
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if n := findFunc(v.Index(i), names); n != "" {
				return n
			}
		}
	}
	return ""
}

type jqRun struct {
	code *gojq.Code
	path string
}

// jqHeapFactor × MaxInputBytes is how far the heap may grow while a jq
// program runs: gojq has no memory budget, so a watchdog stops a program
// such as [range(1e9)] by cancelling its context.
const jqHeapFactor = 8

func (r *jqRun) run(rs *runState, t *table) error {
	rows, err := jqInput(rs, t)
	if err != nil {
		return err
	}
	out, err := runJQ(rs.ctx, r.code, rows, rs.lim, r.path+".expr")
	if err != nil {
		return err
	}
	nt, err := readTable(rs.ctx, FormatJSON, "", out, &Pipeline{}, rs.lim, rs.ns)
	if err != nil {
		return err
	}
	t.cols, t.n = nt.cols, nt.n
	return nil
}

// runJQ runs a compiled program on input and returns the rows it yields as
// a JSON array; errors are located at path. Bounded by the context, MaxRows,
// MaxInputBytes of output and the heap watchdog.
func runJQ(parent context.Context, code *gojq.Code, input any, lim Limits, path string) ([]byte, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var overMemory atomic.Bool
	stop := watchHeap(uint64(jqHeapFactor*lim.MaxInputBytes), func() { overMemory.Store(true); cancel() })
	defer stop()

	var out bytes.Buffer
	out.WriteByte('[')
	n := 0
	emit := func(v any) error {
		if _, ok := v.(map[string]any); !ok {
			return &Error{Code: CodeInvalidPipeline, Path: path,
				Message: fmt.Sprintf("jq yielded %s where a row (an object) is expected", jqTypeName(v))}
		}
		if n++; n > lim.MaxRows {
			return tooManyRows(lim.MaxRows)
		}
		b, err := gojq.Marshal(v)
		if err != nil {
			return &Error{Code: CodeInvalidPipeline, Path: path, Message: "jq: " + err.Error()}
		}
		if int64(out.Len()+len(b)) > lim.MaxInputBytes {
			return &Error{Code: CodeOutputTooLarge, Path: path,
				Message: fmt.Sprintf("jq yielded more than %d bytes (the input limit)", lim.MaxInputBytes)}
		}
		if n > 1 {
			out.WriteByte(',')
		}
		out.Write(b)
		return nil
	}
	iter := code.RunWithContext(ctx, input)
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if e, isErr := v.(error); isErr {
			switch {
			case overMemory.Load():
				return nil, &Error{Code: CodeExprTooCostly, Path: path, Message: fmt.Sprintf(
					"expression exceeded its budget: the jq program used more than %d bytes of memory", jqHeapFactor*lim.MaxInputBytes)}
			case parent.Err() != nil:
				return nil, &Error{Code: CodeTimeout, Path: path, Message: "transformation timed out while running the jq program", err: parent.Err()}
			}
			return nil, &Error{Code: CodeInvalidPipeline, Path: path, Message: "jq: " + firstLine(e.Error())}
		}
		if a, isArr := v.([]any); isArr {
			for _, e := range a {
				if err := emit(e); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := emit(v); err != nil {
			return nil, err
		}
	}
	out.WriteByte(']')
	return out.Bytes(), nil
}

// jqInput is the table as jq values: an array of objects.
func jqInput(rs *runState, t *table) ([]any, error) {
	rows := make([]any, t.n)
	for i := range rows {
		if err := rs.check(i); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(t.cols))
		for _, c := range t.cols {
			var v any
			if c.typ == tJSON {
				// gjson's decoder is several times faster than encoding/json's,
				// and its float64 numbers are what gojq uses for JSON numbers.
				if p := c.raws[i]; p != nil {
					v = gjson.ParseBytes(*p).Value()
				}
			} else {
				v = c.value(i)
			}
			switch x := v.(type) {
			case time.Time:
				v = x.Format(time.RFC3339Nano)
			case uint64: // gojq's numbers are int, float64 and *big.Int
				v = new(big.Int).SetUint64(x)
			}
			row[c.name] = v
		}
		rows[i] = row
	}
	return rows, nil
}

func jqTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// watchHeap calls over once when the heap grows by more than limit bytes
// while it watches; stop ends the watch. The heap is the process's, so
// concurrent work counts too: the bound is a safety net, not an account.
func watchHeap(limit uint64, over func()) (stop func()) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(s); return s[0].Value.Uint64() }
	base := read()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if v := read(); v > base && v-base > limit {
					over()
					return
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// lineColumn locates a byte offset of src (1-based line, column in
// characters); gojq reports where it stopped reading, just after the token
// at fault.
func lineColumn(src string, offset int) (line, col int) {
	offset = min(max(offset, 0), len(src))
	line = 1 + strings.Count(src[:offset], "\n")
	start := strings.LastIndexByte(src[:offset], '\n') + 1
	return line, utf8.RuneCountInString(src[start:offset])
}
