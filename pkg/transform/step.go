package transform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Step is one transformation step of a pipeline: one of *FilterStep,
// *ComputeStep, *RenameStep, *SortStep, *LimitStep, *GroupByStep (or any
// step type registered later). In JSON it is an object whose "type" selects
// the step and whose other fields are the step's own:
//
//	{"type":"filter","expr":"price > 10"}
//	{"type":"compute","name":"total","expr":"price * qty"}
//	{"type":"rename","from":"a","to":"b"}   or   {"type":"rename","map":{"a":"b","c":"d"}}
//	{"type":"sort","by":[{"field":"x","desc":true},"y"]}
//	{"type":"limit","count":10,"offset":0}
//	{"type":"groupBy","by":["host"],"timeBucket":{"field":"time","interval":"5m"},
//	 "aggregates":[{"op":"avg","field":"cpu","as":"avg_cpu"}]}
//
// A step type is one Go file: its struct (JSON fields), an init that
// registers its stepKind, and the three methods below.
type Step interface {
	// StepType is the step's "type" in JSON.
	StepType() string
	// validate checks the step without data; path is "steps[i]".
	validate(path string) *ValidationError
	// plan resolves the step against the fields it receives: it checks field
	// references, compiles expressions, and returns the fields it passes on.
	plan(in []field, path string) (stepRun, []field, *ValidationError)
}

// stepRun is a planned step, run on the working table.
type stepRun interface {
	run(rs *runState, t *table) error
}

// stepKind registers a step type.
type stepKind struct {
	typ string
	// order places the type in lists (error messages, the OpenAPI enum).
	order int
	// fields are the JSON fields besides "type": a step's JSON may hold no
	// others, which catches {"type":"filter","name":...} meaning something
	// else than it does.
	fields []StepField
	decode func(o jsonObject, path string) (Step, *ValidationError)
}

// StepField describes one JSON field of a step type.
type StepField struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // JSON type: string, integer, boolean, array, object
	Required    bool   `json:"required,omitempty"`
	Description string `json:"description"`
	// kind is what the field's strings are, for callers that rewrite them
	// (Pipeline.MapStrings: the query's macros): text unless declared.
	kind StringKind
}

// StepSchema describes a step type for OpenAPI / JSON Schema and editors.
type StepSchema struct {
	Type   string      `json:"type"`
	Fields []StepField `json:"fields"`
}

var stepKinds []*stepKind

// registerStep adds a step type; each step file calls it from init.
func registerStep(k *stepKind) {
	for _, o := range stepKinds {
		if o.typ == k.typ {
			panic("transform: step type " + k.typ + " registered twice")
		}
	}
	stepKinds = append(stepKinds, k)
	slices.SortStableFunc(stepKinds, func(a, b *stepKind) int { return a.order - b.order })
}

func stepKindOf(typ string) *stepKind {
	for _, k := range stepKinds {
		if k.typ == typ {
			return k
		}
	}
	return nil
}

// StepTypes lists the registered step types in their documented order.
func StepTypes() []string {
	out := make([]string, len(stepKinds))
	for i, k := range stepKinds {
		out[i] = k.typ
	}
	return out
}

// StepSchemas describes every registered step type, in StepTypes order.
func StepSchemas() []StepSchema {
	out := make([]StepSchema, len(stepKinds))
	for i, k := range stepKinds {
		out[i] = StepSchema{Type: k.typ, Fields: slices.Clone(k.fields)}
	}
	return out
}

func decodeStep(raw json.RawMessage, path string) (Step, *ValidationError) {
	obj, err := objectAt(raw, path)
	if err != nil {
		return nil, err
	}
	typ, err := obj.str("type")
	if err != nil {
		return nil, err
	}
	types := strings.Join(StepTypes(), ", ")
	if typ == "" {
		return nil, verr(path+".type", "required (one of %s)", types)
	}
	k := stepKindOf(typ)
	if k == nil {
		return nil, verr(path+".type", "unknown step type %q (one of %s)", typ, types)
	}
	allowed := []string{"type"}
	for _, f := range k.fields {
		allowed = append(allowed, f.Name)
	}
	if err := obj.allow(allowed...); err != nil {
		return nil, err
	}
	return k.decode(obj, path)
}

// marshalStep writes a step as {"type": typ, <v's fields>}. v must not be
// the step itself (its MarshalJSON would recurse) but a copy of another
// named type without methods.
func marshalStep(typ string, v any) ([]byte, error) {
	// No HTML escaping here: the caller's encoder escapes (or not, like the
	// executed query string) what MarshalJSON returns.
	var enc bytes.Buffer
	e := json.NewEncoder(&enc)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	fields := bytes.TrimSpace(enc.Bytes())
	t, _ := json.Marshal(typ)
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	b.Write(t)
	if inner := bytes.TrimSpace(fields[1 : len(fields)-1]); len(inner) > 0 {
		b.WriteByte(',')
		b.Write(inner)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// runState is what steps share during one Run.
type runState struct {
	ctx       context.Context
	lim       Limits
	ns        *notices
	outBudget int64                  // bytes of text columns may still add (see textBudget)
	queries   map[string]*data.Frame // Input.Queries, for join and append
}

// check returns the context's error as an *Error every ctxCheckEvery rows.
func (rs *runState) check(i int) error {
	if i%ctxCheckEvery == 0 {
		if err := rs.ctx.Err(); err != nil {
			return timeoutError(err)
		}
	}
	return nil
}

// sortStable sorts idx stably by cmp. Once the context is done the
// comparisons stop (every one says "equal", so the sort finishes at once) and
// the context's error is returned.
func (rs *runState) sortStable(idx []int, cmp func(a, b int) int) error {
	n, stopped := 0, false
	slices.SortStableFunc(idx, func(a, b int) int {
		if stopped {
			return 0
		}
		if n++; n%(16*ctxCheckEvery) == 0 && rs.ctx.Err() != nil {
			stopped = true
			return 0
		}
		return cmp(a, b)
	})
	if err := rs.ctx.Err(); err != nil {
		return timeoutError(err)
	}
	return nil
}

func runSteps(rs *runState, pl *plan, t *table) error {
	for _, r := range pl.steps {
		if err := r.run(rs, t); err != nil {
			return err
		}
		if err := rs.ctx.Err(); err != nil {
			return timeoutError(err)
		}
	}
	return nil
}

// checkExpr validates an expression field without a schema.
func checkExpr(src, path string) *ValidationError {
	if err := checkExprText(src, path); err != nil {
		return err
	}
	return checkSyntax(src, path)
}

// checkExprText checks that an expression is there and not too long.
func checkExprText(src, path string) *ValidationError {
	if strings.TrimSpace(src) == "" {
		return verr(path, "required")
	}
	if len(src) > maxExprLen {
		return verr(path, "longer than %d characters", maxExprLen)
	}
	return nil
}

func checkName(path, name string) *ValidationError {
	if name == "" {
		return verr(path, "required")
	}
	if len(name) > maxNameLen {
		return verr(path, "longer than %d characters", maxNameLen)
	}
	return nil
}

// keysAt decodes a step's list of field keys (sort, groupBy "by").
func keysAt(o jsonObject, key, path string) ([]Key, *ValidationError) {
	raw, err := o.array(key)
	if err != nil {
		return nil, err
	}
	var keys []Key
	for i, r := range raw {
		k, err := decodeKey(r, fmt.Sprintf("%s.%s[%d]", path, key, i))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}
