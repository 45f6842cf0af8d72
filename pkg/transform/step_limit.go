package transform

// LimitStep keeps rows Offset … Offset+Count-1.
type LimitStep struct {
	Count  int `json:"count,omitempty"`
	Offset int `json:"offset,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepLimit, order: 50,
		fields: []StepField{
			{Name: "count", Type: "integer", Required: true, Description: "rows to keep (at least 1)"},
			{Name: "offset", Type: "integer", Description: "rows to skip first (default 0)"},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s LimitStep
			var err *ValidationError
			if s.Count, err = o.integer("count"); err != nil {
				return nil, err
			}
			s.Offset, err = o.integer("offset")
			return &s, err
		}})
}

func (s *LimitStep) StepType() string { return StepLimit }

func (s *LimitStep) MarshalJSON() ([]byte, error) {
	type plain LimitStep
	return marshalStep(StepLimit, (*plain)(s))
}

func (s *LimitStep) validate(path string) *ValidationError {
	if s.Count < 1 {
		return verr(path+".count", "must be at least 1")
	}
	if s.Offset < 0 {
		return verr(path+".offset", "must not be negative")
	}
	return nil
}

func (s *LimitStep) plan(in []field, _ string) (stepRun, []field, *ValidationError) {
	return s, in, nil
}

func (s *LimitStep) run(_ *runState, t *table) error {
	lo := min(s.Offset, t.n)
	hi := min(lo+s.Count, t.n)
	if lo == 0 && hi == t.n {
		return nil
	}
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = lo + i
	}
	t.take(idx)
	return nil
}
