package transform

import (
	"bytes"
	"fmt"

	"github.com/tidwall/gjson"
)

// StepExpand makes one row per element of an array field (UQL's and KQL's
// mv-expand, SQL's unnest): {"type":"expand","field":"users","as":"user"}.
const StepExpand = "expand"

// ExpandStep expands the JSON arrays of Field: each element becomes a row,
// the other fields repeated. The element replaces the array, in its place,
// named As (default: Field). Rows whose array is empty are dropped; a null
// or a value that is no array is kept as one row with that value. The
// elements' type is inferred as for a JSON body (numbers, strings, times, or
// json for objects), so the steps after it are planned once it has run.
type ExpandStep struct {
	Field string `json:"field"`
	As    string `json:"as,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepExpand, order: 65,
		fields: []StepField{
			{Name: "field", Type: "string", Required: true, Description: "the array field to expand: one row per element"},
			{Name: "as", Type: "string", Description: "name of the element field (default: the array field's name)"},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s ExpandStep
			var err *ValidationError
			if s.Field, err = o.str("field"); err != nil {
				return nil, err
			}
			s.As, err = o.str("as")
			return &s, err
		}})
}

func (s *ExpandStep) StepType() string { return StepExpand }

func (s *ExpandStep) MarshalJSON() ([]byte, error) {
	type plain ExpandStep
	return marshalStep(StepExpand, (*plain)(s))
}

func (s *ExpandStep) validate(path string) *ValidationError {
	if s.Field == "" {
		return verr(path+".field", "required")
	}
	if s.As != "" {
		return checkName(path+".as", s.As)
	}
	return nil
}

func (s *ExpandStep) name() string {
	if s.As != "" {
		return s.As
	}
	return s.Field
}

// plan checks the names; the element's type is known only once the data is
// read, so the steps after it are planned then (as after jq).
func (s *ExpandStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	j := schemaIndex(in, s.Field)
	if j < 0 {
		return nil, nil, unknownField(path+".field", s.Field, in)
	}
	if t := in[j].typ; t != tJSON && t != tUnknown {
		return nil, nil, verr(path+".field", "%q is a %s field, not an array (json)", s.Field, t)
	}
	if s.As != "" && s.As != s.Field && schemaIndex(in, s.As) >= 0 {
		return nil, nil, verr(path+".as", "a field named %q already exists", s.As)
	}
	return &expandRun{step: s, path: path}, nil, nil
}

type expandRun struct {
	step *ExpandStep
	path string
}

func (r *expandRun) run(rs *runState, t *table) error {
	k := t.index(r.step.Field)
	if k < 0 {
		return pipelineError(unknownField(r.path+".field", r.step.Field, t.schema()))
	}
	src := t.cols[k]
	if src.typ != tJSON { // inferred from scalars or nulls only: each value is its own element
		src.name = r.step.name()
		return nil
	}
	// The elements as a JSON array of {"v": element}, read back with the JSON
	// reader so they get its inference, limits and notices.
	var buf bytes.Buffer
	buf.WriteByte('[')
	var idx []int
	for i := 0; i < t.n; i++ {
		if err := rs.check(i); err != nil {
			return err
		}
		elems := []string{"null"}
		if p := src.raws[i]; p != nil {
			elems = splitArray(*p)
		}
		for _, e := range elems {
			if len(idx) >= rs.lim.MaxRows {
				return tooManyRows(rs.lim.MaxRows)
			}
			if len(idx) > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(`{"v":`)
			buf.WriteString(e)
			buf.WriteByte('}')
			idx = append(idx, i)
		}
		if int64(buf.Len()) > rs.lim.MaxInputBytes {
			return &Error{Code: CodeOutputTooLarge, Path: r.path,
				Message: fmt.Sprintf("the expanded rows exceed %d bytes (the input limit)", rs.lim.MaxInputBytes)}
		}
	}
	buf.WriteByte(']')
	nt, err := readTable(rs.ctx, FormatJSON, "", buf.Bytes(), &Pipeline{}, rs.lim, rs.ns)
	if err != nil {
		return err
	}
	var elem *column
	if c := nt.col("v"); c != nil && nt.n == len(idx) {
		elem = c
	} else {
		elem = newColumn("v", tString, len(idx)) // no rows, or only nulls
	}
	elem.name = r.step.name()
	t.take(idx)
	t.cols[k] = elem
	return nil
}

// splitArray returns the elements of a JSON array as their JSON text, or
// the value itself when it is no array; an empty array has none.
func splitArray(raw []byte) []string {
	v := gjson.ParseBytes(raw)
	if !v.IsArray() {
		return []string{string(bytes.TrimSpace(raw))}
	}
	var out []string
	v.ForEach(func(_, e gjson.Result) bool {
		out = append(out, e.Raw)
		return true
	})
	return out
}
