package transform

// FilterStep keeps the rows for which Expr (an expr-lang boolean over the
// row's fields) is true; a null or failed result drops the row.
type FilterStep struct {
	Expr string `json:"expr,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepFilter, order: 10,
		fields: []StepField{{Name: "expr", Type: "string", Required: true, Description: "boolean expression over the row's fields", kind: StringExpr}},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s FilterStep
			var err *ValidationError
			s.Expr, err = o.str("expr")
			return &s, err
		}})
}

func (s *FilterStep) StepType() string { return StepFilter }

func (s *FilterStep) MarshalJSON() ([]byte, error) {
	type plain FilterStep
	return marshalStep(StepFilter, (*plain)(s))
}

func (s *FilterStep) validate(path string) *ValidationError { return checkExpr(s.Expr, path+".expr") }

func (s *FilterStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	ce, err := compileExpr(s.Expr, in, true, path+".expr")
	if err != nil {
		return nil, nil, err
	}
	return &filterRun{expr: ce, path: path}, in, nil
}

type filterRun struct {
	expr *compiledExpr
	path string
}

func (r *filterRun) run(rs *runState, t *table) error {
	ev := newEvaluator(rs, r.expr, t, r.path+".expr")
	keep := make([]int, 0, t.n)
	for i := 0; i < t.n; i++ {
		out, ok, err := ev.eval(i)
		if err != nil {
			return err
		}
		if ok {
			if b, _ := out.(bool); b {
				keep = append(keep, i)
			}
		}
	}
	ev.report(rs.ns, r.path)
	if len(keep) < t.n {
		t.take(keep)
	}
	return nil
}
