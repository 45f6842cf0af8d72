package transform

import (
	"fmt"
	"strings"
)

// plan is a pipeline's steps resolved against a schema: expressions compiled,
// field references checked. The schema is known at Compile time for explicit,
// typed columns; otherwise only after the data is read (see Program.planFor).
type plan struct {
	steps []stepRun
	out   []field // schema after the steps
}

// staticSchema is the schema promised by explicit columns (tUnknown for untyped ones).
func staticSchema(p *Pipeline) []field {
	s := make([]field, len(p.Columns))
	for i, c := range p.Columns {
		s[i] = field{name: c.Name, typ: c.colType()}
	}
	return s
}

func schemaIndex(s []field, name string) int {
	for i, f := range s {
		if f.name == name {
			return i
		}
	}
	return -1
}

// unknownField is the error for a reference to a field that does not exist at that step.
func unknownField(path, name string, s []field) *ValidationError {
	msg := fmt.Sprintf("unknown field %q", name)
	if sug := suggest(name, s); sug != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sug)
	} else if len(s) > 0 && len(s) <= 20 {
		names := make([]string, len(s))
		for i, f := range s {
			names[i] = f.name
		}
		msg += fmt.Sprintf(" (fields: %s)", strings.Join(names, ", "))
	}
	return &ValidationError{Path: path, Message: msg}
}

// planSteps follows the schema through the steps. Steps are assumed
// structurally valid (validateStructure).
func planSteps(p *Pipeline, in []field) (*plan, *ValidationError) {
	return planStepsFrom(p, in, 0)
}

// planStepsFrom plans p.Steps[from:] for the fields in. A step that cannot
// know its output fields before it runs (jq) returns none; the steps after
// it are planned when it has run (see replanRun).
func planStepsFrom(p *Pipeline, in []field, from int) (*plan, *ValidationError) {
	s := append([]field(nil), in...)
	pl := &plan{}
	for i := from; i < len(p.Steps); i++ {
		r, out, err := p.Steps[i].plan(s, fmt.Sprintf("steps[%d]", i))
		if err != nil {
			return nil, err
		}
		pl.steps, s = append(pl.steps, r), out
		if out == nil {
			pl.steps = append(pl.steps, &replanRun{p: p, from: i + 1})
			return pl, nil
		}
	}
	if p.Shape == ShapeTimeSeriesLong || p.Shape == ShapeTimeSeriesWide {
		hasTime, unknown := false, false
		for _, f := range s {
			hasTime = hasTime || f.typ == tTime
			unknown = unknown || f.typ == tUnknown
		}
		if !hasTime && !unknown {
			return nil, verr("shape", "%s needs a time field; fields: %s", p.Shape, describeSchema(s))
		}
	}
	pl.out = s
	return pl, nil
}

func describeSchema(s []field) string {
	if len(s) == 0 {
		return "none"
	}
	parts := make([]string, 0, min(len(s), 20))
	for i, f := range s {
		if i == 20 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", f.name, f.typ))
	}
	return strings.Join(parts, ", ")
}

// replanRun plans and runs the steps after one whose output fields are
// known only once it has run.
type replanRun struct {
	p    *Pipeline
	from int
}

func (r *replanRun) run(rs *runState, t *table) error {
	pl, ve := planStepsFrom(r.p, t.schema(), r.from)
	if ve != nil {
		return pipelineError(ve)
	}
	return runSteps(rs, pl, t)
}
