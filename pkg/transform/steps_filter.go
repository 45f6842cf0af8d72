package transform

// runFilter keeps the rows for which the expression is true; a null result
// (see evaluator.eval) drops the row.
func runFilter(rs *runState, sp stepPlan, t *table) error {
	ev := newEvaluator(rs, sp.expr, t, sp.path+".expr")
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
	ev.report(rs.ns, sp.path)
	if len(keep) < t.n {
		t.take(keep)
	}
	return nil
}
