package transform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Program is a compiled pipeline. It is immutable apart from an internal plan
// cache, and safe for concurrent use by any number of Runs.
type Program struct {
	p        Pipeline // private deep copy
	executed string   // the pipeline as JSON, for Meta.ExecutedQueryString
	static   *plan    // set when explicit typed columns fix the schema up front

	mu    sync.Mutex
	plans map[string]*plan // plans for inferred schemas, by schema
}

// Result is the output of Run.
type Result struct {
	Frames  data.Frames
	Notices []data.Notice // also in each frame's Meta.Notices
	Rows    int           // rows in the output frame
}

// maxCachedPlans bounds the per-Program cache of plans for inferred schemas;
// an upstream whose schema changes on every call just recompiles.
const maxCachedPlans = 16

// Compile validates the pipeline and compiles its expressions once. With
// inferred (or untyped) columns, expressions are compiled at the first Run
// that sees a given schema and cached. The pipeline is copied: later changes
// to p do not affect the Program.
func Compile(p *Pipeline) (*Program, error) {
	if p == nil {
		p = &Pipeline{}
	}
	// The encoded pipeline is shown in Grafana's query inspector: no HTML
	// escaping, so "price > 10" stays readable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, pipelineError(verr("", "cannot encode pipeline: %s", err))
	}
	raw := bytes.TrimSpace(buf.Bytes())
	pr := &Program{executed: string(raw), plans: map[string]*plan{}}
	if ve := pr.p.decode(raw); ve != nil {
		return nil, pipelineError(ve)
	}
	if ve := pr.p.validateStructure(); ve != nil {
		return nil, pipelineError(ve)
	}
	if len(pr.p.Columns) > 0 {
		schema := staticSchema(&pr.p)
		pl, ve := planSteps(&pr.p, schema)
		if ve != nil {
			return nil, pipelineError(ve)
		}
		typed := true
		for _, f := range schema {
			typed = typed && f.typ != tUnknown
		}
		if typed {
			pr.static = pl
		}
	}
	return pr, nil
}

// Pipeline returns a copy of the compiled pipeline.
func (pr *Program) Pipeline() Pipeline {
	var p Pipeline
	_ = p.decode([]byte(pr.executed))
	return p
}

func (pr *Program) planFor(schema []field) (*plan, error) {
	if pr.static != nil {
		return pr.static, nil
	}
	var sb strings.Builder
	for _, f := range schema {
		fmt.Fprintf(&sb, "%d:%s\x00", f.typ, f.name)
	}
	key := sb.String()
	pr.mu.Lock()
	pl, ok := pr.plans[key]
	pr.mu.Unlock()
	if ok {
		return pl, nil
	}
	pl, ve := planSteps(&pr.p, schema)
	if ve != nil {
		return nil, pipelineError(ve)
	}
	pr.mu.Lock()
	if len(pr.plans) >= maxCachedPlans {
		clear(pr.plans)
	}
	pr.plans[key] = pl
	pr.mu.Unlock()
	return pl, nil
}

// Run transforms one body. Errors are *Error. The context's deadline bounds
// the time; lim (zero fields take defaults) bounds memory.
func (pr *Program) Run(ctx context.Context, in Input, lim Limits) (res *Result, err error) {
	defer func() {
		// Inputs are validated so nothing should panic; if a bug does, the
		// caller gets an internal error, never a crashed plugin.
		if r := recover(); r != nil {
			res, err = nil, &Error{Code: CodeInternal, Message: "internal error in transformation",
				err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	lim = lim.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	t, ns, err := pr.read(ctx, in, lim)
	if err != nil {
		return nil, err
	}
	pl, err := pr.planFor(t.schema())
	if err != nil {
		return nil, err
	}
	// Columns may hold text up to four times the input limit, read and
	// computed: enough for any reasonable derived column, not enough for a
	// memory bomb such as a per-row toJSON(1..100000).
	rs := &runState{ctx: ctx, lim: lim, ns: ns, outBudget: t.textLeft}
	if err := runSteps(rs, pl, t); err != nil {
		return nil, err
	}
	shape := pr.p.Shape
	if shape == ShapeTimeSeriesLong || shape == ShapeTimeSeriesWide {
		if err := toTimeSeriesLong(rs, t, shape); err != nil {
			return nil, err
		}
	}
	frame := buildFrame(pr.p.Name, t)
	switch shape {
	case ShapeTimeSeriesLong:
		frame.Meta.Type = data.FrameTypeTimeSeriesLong
		frame.Meta.TypeVersion = data.FrameTypeVersion{0, 1}
	case ShapeTimeSeriesWide:
		if frame, err = toWide(frame, t, lim); err != nil {
			return nil, err
		}
	}
	frame.Meta.ExecutedQueryString = pr.executed
	frame.Meta.Notices = ns.result()
	// Separate slices: callers append to either (e.g. pagination notices).
	return &Result{Frames: data.Frames{frame}, Notices: slices.Clone(frame.Meta.Notices), Rows: frame.Rows()}, nil
}

// read reads the input into the working table: the pages read so far, or
// the body in the pipeline's format.
func (pr *Program) read(ctx context.Context, in Input, lim Limits) (*table, *notices, error) {
	if in.Pages != nil {
		return in.Pages.table(ctx, pr, lim)
	}
	ns := &notices{}
	body, err := decodeBody(ctx, in, lim)
	if err != nil {
		return nil, nil, err
	}
	t, err := readTable(ctx, pr.p.Format, in.ContentType, body, &pr.p, lim, ns)
	return t, ns, err
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}
