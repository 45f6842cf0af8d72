package transform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/itchyny/gojq"
	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
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
			Description: "jq program over the array of rows; yields rows (objects, or arrays of objects)", kind: StringCode}},
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
	if _, err := compileJQ(s.Expr, path+".expr"); err != nil {
		return nil, nil, err
	}
	return &jqRun{expr: s.Expr, path: path}, nil, nil
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
	expr, path string
}

// jqHeapFactor × MaxInputBytes is how far the heap may grow while a jq
// program runs in process: gojq has no memory budget, so a watchdog stops a
// program such as [range(1e9)] by cancelling its context. (In a sandbox
// worker the worker's memory limit is the bound; see pkg/jqworker.)
const jqHeapFactor = 8

func (r *jqRun) run(rs *runState, t *table) error {
	rows, err := jqInput(rs, t)
	if err != nil {
		return err
	}
	out, err := runJQ(rs.ctx, newJQJob(r.expr, r.path+".expr", rows, rs.lim))
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

// newJQJob is a run of program over input within lim.
func newJQJob(program, path string, input []byte, lim Limits) *JQJob {
	return &JQJob{Program: program, Path: path, Input: input, MaxRows: lim.MaxRows,
		MaxOutputBytes: lim.MaxInputBytes, MaxHeapBytes: uint64(jqHeapFactor * lim.MaxInputBytes)}
}

// jqMaxRowDepth is the deepest a yielded row may be: the answer wraps the
// rows in an array, which must stay within jsonscan.MaxDepth.
const jqMaxRowDepth = jsonscan.MaxDepth - 1

// RunJQJob runs a jq job in this process and returns the rows it yields as
// a JSON array. It is what InProcessJQ runs and what a sandbox worker runs
// (pkg/jqworker), so both answer alike: bounded by the context, MaxRows,
// MaxOutputBytes, the nesting of every value yielded (checked without
// recursion before gojq's encoder recurses on it) and the heap watchdog.
func RunJQJob(parent context.Context, job *JQJob) (res []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &Error{Code: CodeInternal, Path: job.Path, Message: "internal error in the jq program",
				err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	code, ve := compileJQ(job.Program, job.Path)
	if ve != nil {
		return nil, pipelineError(ve)
	}
	input, ierr := decodeJQInput(job.Input)
	if ierr != nil {
		return nil, ierr
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var overMemory atomic.Bool
	if job.MaxHeapBytes > 0 {
		stop := watchHeap(job.MaxHeapBytes, func() { overMemory.Store(true); cancel() })
		defer stop()
	}
	path := job.Path
	var out bytes.Buffer
	out.WriteByte('[')
	n := 0
	emit := func(v any) error {
		if _, ok := v.(map[string]any); !ok {
			return &Error{Code: CodeInvalidPipeline, Path: path,
				Message: fmt.Sprintf("jq yielded %s where a row (an object) is expected", jqTypeName(v))}
		}
		if n++; n > job.MaxRows {
			return tooManyRows(job.MaxRows)
		}
		if jqTooDeep(v, jqMaxRowDepth) {
			return &Error{Code: CodeExprTooCostly, Path: path,
				Message: fmt.Sprintf("expression exceeded its budget: jq yielded a row nested more than %d levels deep", jqMaxRowDepth)}
		}
		b, err := gojq.Marshal(v)
		if err != nil {
			return &Error{Code: CodeInvalidPipeline, Path: path, Message: "jq: " + err.Error()}
		}
		if int64(out.Len()+len(b)) > job.MaxOutputBytes {
			return &Error{Code: CodeOutputTooLarge, Path: path,
				Message: fmt.Sprintf("jq yielded more than %d bytes (the input limit)", job.MaxOutputBytes)}
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
					"expression exceeded its budget: the jq program used more than %d bytes of memory", job.MaxHeapBytes)}
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

// jqTooDeep reports whether v nests containers more than limit deep (v
// itself is level 1). It walks with its own stack, so a value nested a
// million deep costs a walk to limit, not the goroutine's stack.
func jqTooDeep(v any, limit int) bool {
	type item struct {
		v     any
		depth int
	}
	stack := []item{{v, 1}}
	push := func(e any, depth int) {
		switch e.(type) {
		case []any, map[string]any:
			stack = append(stack, item{e, depth})
		}
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := it.v.(type) {
		case []any:
			if it.depth > limit {
				return true
			}
			for _, e := range x {
				push(e, it.depth+1)
			}
		case map[string]any:
			if it.depth > limit {
				return true
			}
			for _, e := range x {
				push(e, it.depth+1)
			}
		}
	}
	return false
}

// decodeJQInput reads a job's input document with exact numbers
// (json.Number, which gojq keeps as written) after checking it like any
// JSON body (syntax, nesting), so the decoder's recursion is bounded.
func decodeJQInput(b []byte) (any, *Error) {
	if serr := jsonscan.Validate(b); serr != nil {
		return nil, inputError("invalid JSON: %s", serr)
	}
	return jqValue(gjson.ParseBytes(b)), nil
}

// jqValue is a JSON value as gojq's values: nil, bool, json.Number,
// string, []any, map[string]any.
func jqValue(r gjson.Result) any {
	switch r.Type {
	case gjson.Null:
		return nil
	case gjson.False:
		return false
	case gjson.True:
		return true
	case gjson.Number:
		return json.Number(r.Raw)
	case gjson.String:
		return r.Str
	}
	if r.IsArray() {
		a := []any{}
		r.ForEach(func(_, e gjson.Result) bool {
			a = append(a, jqValue(e))
			return true
		})
		return a
	}
	m := map[string]any{}
	r.ForEach(func(k, e gjson.Result) bool {
		m[k.Str] = jqValue(e)
		return true
	})
	return m
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
