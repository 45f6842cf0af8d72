package transform

import (
	"fmt"
	"strings"
	"time"
)

// plan is a pipeline's steps resolved against a schema: expressions compiled,
// field references checked. The schema is known at Compile time for explicit,
// typed columns; otherwise only after the data is read (see Program.planFor).
type plan struct {
	steps []stepPlan
	out   []field // schema after the steps
}

type stepPlan struct {
	Step
	path     string
	expr     *compiledExpr
	interval time.Duration // groupBy time bucket
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
	s := append([]field(nil), in...)
	pl := &plan{}
	for i, st := range p.Steps {
		path := fmt.Sprintf("steps[%d]", i)
		sp := stepPlan{Step: st, path: path}
		var err *ValidationError
		switch st.Type {
		case StepFilter:
			sp.expr, err = compileExpr(st.Expr, s, true, path+".expr")
		case StepCompute:
			sp.expr, err = compileExpr(st.Expr, s, false, path+".expr")
			if err == nil {
				if j := schemaIndex(s, st.Name); j >= 0 {
					s[j].typ = sp.expr.out
				} else {
					s = append(s, field{name: st.Name, typ: sp.expr.out})
				}
			}
		case StepRename:
			s, err = planRename(st, s, path)
		case StepSort:
			for j, k := range st.By {
				if schemaIndex(s, k.Field) < 0 {
					return nil, unknownField(fmt.Sprintf("%s.by[%d].field", path, j), k.Field, s)
				}
			}
		case StepGroupBy:
			sp.interval, s, err = planGroupBy(st, s, path)
		}
		if err != nil {
			return nil, err
		}
		pl.steps = append(pl.steps, sp)
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

// renames returns a step's renames as from → to, with the JSON path of each.
func renames(st Step, path string) (pairs [][2]string, paths []string) {
	if len(st.Map) == 0 {
		return [][2]string{{st.From, st.To}}, []string{path + ".from"}
	}
	for _, from := range sortedKeys(st.Map) {
		pairs = append(pairs, [2]string{from, st.Map[from]})
		paths = append(paths, path+".map."+from)
	}
	return pairs, paths
}

// planRename applies renames simultaneously (so a↔b swaps work) and rejects
// results with two fields of the same name.
func planRename(st Step, s []field, path string) ([]field, *ValidationError) {
	pairs, paths := renames(st, path)
	out := append([]field(nil), s...)
	for k, pr := range pairs {
		j := schemaIndex(s, pr[0])
		if j < 0 {
			return nil, unknownField(paths[k], pr[0], s)
		}
		out[j].name = pr[1]
	}
	seen := map[string]bool{}
	for _, f := range out {
		if seen[f.name] {
			p := path + ".to"
			if len(st.Map) > 0 {
				for k, pr := range pairs {
					if pr[1] == f.name {
						p = paths[k]
					}
				}
			}
			return nil, verr(p, "a field named %q already exists", f.name)
		}
		seen[f.name] = true
	}
	return out, nil
}

// groupBy output: [time bucket] + by fields + aggregates.
func planGroupBy(st Step, s []field, path string) (time.Duration, []field, *ValidationError) {
	var out []field
	var interval time.Duration
	if tb := st.TimeBucket; tb != nil {
		j := schemaIndex(s, tb.Field)
		if j < 0 {
			return 0, nil, unknownField(path+".timeBucket.field", tb.Field, s)
		}
		if t := s[j].typ; t != tTime && t != tUnknown {
			return 0, nil, verr(path+".timeBucket.field", "%q is a %s field, not a time field", tb.Field, t)
		}
		interval, _ = parseInterval(tb.Interval)
		out = append(out, field{name: tb.Field, typ: tTime})
	}
	for j, k := range st.By {
		p := fmt.Sprintf("%s.by[%d]", path, j)
		i := schemaIndex(s, k.Field)
		if i < 0 {
			return 0, nil, unknownField(p, k.Field, s)
		}
		if schemaIndex(out, k.Field) >= 0 {
			return 0, nil, verr(p, "%q is grouped on twice", k.Field)
		}
		out = append(out, s[i])
	}
	for j, a := range st.Aggregates {
		p := fmt.Sprintf("%s.aggregates[%d]", path, j)
		typ := tNumber
		if a.Field != "" {
			i := schemaIndex(s, a.Field)
			if i < 0 {
				return 0, nil, unknownField(p+".field", a.Field, s)
			}
			ft := s[i].typ
			switch a.Op {
			case "sum", "avg":
				if ft != tNumber && ft != tUnknown {
					return 0, nil, verr(p+".field", "%s needs a number field; %q is %s", a.Op, a.Field, ft)
				}
			case "min", "max":
				if ft == tBool || ft == tJSON {
					return 0, nil, verr(p+".field", "%s needs a number, string or time field; %q is %s", a.Op, a.Field, ft)
				}
				typ = ft
			case "first", "last":
				typ = ft
			}
		}
		name := aggName(a)
		if schemaIndex(out, name) >= 0 {
			return 0, nil, verr(p+".as", "a field named %q already exists in the output; set a different \"as\"", name)
		}
		out = append(out, field{name: name, typ: typ})
	}
	return interval, out, nil
}

func aggName(a Aggregate) string {
	switch {
	case a.As != "":
		return a.As
	case a.Field == "":
		return a.Op
	}
	return a.Op + "_" + a.Field
}
