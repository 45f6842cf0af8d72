package transform

import (
	"encoding/json"
	"fmt"
)

// StepSelect keeps some fields (in the order given) or drops some: UQL's
// project and project-away, and the usual last step after computing helper
// fields.
const StepSelect = "select"

// SelectStep keeps Fields, in that order, or removes Drop (one of the two).
type SelectStep struct {
	Fields []string `json:"fields,omitempty"`
	Drop   []string `json:"drop,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepSelect, order: 35,
		fields: []StepField{
			{Name: "fields", Type: "array", Description: "fields to keep, in this order (the others are removed)"},
			{Name: "drop", Type: "array", Description: "fields to remove instead (names that do not exist are ignored)"},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s SelectStep
			var err *ValidationError
			if s.Fields, err = stringList(o, "fields"); err != nil {
				return nil, err
			}
			s.Drop, err = stringList(o, "drop")
			return &s, err
		}})
}

// stringList decodes a step's list of field names.
func stringList(o jsonObject, key string) ([]string, *ValidationError) {
	raw, err := o.array(key)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(raw))
	for i, r := range raw {
		var s string
		if json.Unmarshal(r, &s) != nil {
			return nil, verr(fmt.Sprintf("%s[%d]", o.sub(key), i), "must be a string")
		}
		out = append(out, s)
	}
	return out, nil
}

func (s *SelectStep) StepType() string { return StepSelect }

func (s *SelectStep) MarshalJSON() ([]byte, error) {
	type plain SelectStep
	return marshalStep(StepSelect, (*plain)(s))
}

func (s *SelectStep) validate(path string) *ValidationError {
	switch {
	case len(s.Fields) > 0 && len(s.Drop) > 0:
		return verr(path+".drop", "use either fields (to keep) or drop, not both")
	case len(s.Fields) == 0 && len(s.Drop) == 0:
		return verr(path+".fields", "required: the fields to keep (or drop: the fields to remove)")
	}
	seen := map[string]bool{}
	for i, f := range s.Fields {
		p := fmt.Sprintf("%s.fields[%d]", path, i)
		if err := checkName(p, f); err != nil {
			return err
		}
		if seen[f] {
			return verr(p, "%q is listed twice", f)
		}
		seen[f] = true
	}
	return nil
}

func (s *SelectStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	if len(s.Fields) > 0 {
		out := make([]field, 0, len(s.Fields))
		for i, f := range s.Fields {
			j := schemaIndex(in, f)
			if j < 0 {
				return nil, nil, unknownField(fmt.Sprintf("%s.fields[%d]", path, i), f, in)
			}
			out = append(out, in[j])
		}
		return s, out, nil
	}
	drop := map[string]bool{}
	for _, f := range s.Drop {
		drop[f] = true
	}
	var out []field
	for _, f := range in {
		if !drop[f.name] {
			out = append(out, f)
		}
	}
	return s, out, nil
}

func (s *SelectStep) run(_ *runState, t *table) error {
	if len(s.Fields) > 0 {
		cols := make([]*column, 0, len(s.Fields))
		for _, f := range s.Fields {
			c := t.col(f)
			if c == nil {
				return pipelineError(unknownField("fields", f, t.schema()))
			}
			cols = append(cols, c)
		}
		t.cols = cols
		return nil
	}
	drop := map[string]bool{}
	for _, f := range s.Drop {
		drop[f] = true
	}
	kept := t.cols[:0:0]
	for _, c := range t.cols {
		if !drop[c.name] {
			kept = append(kept, c)
		}
	}
	t.cols = kept
	return nil
}
