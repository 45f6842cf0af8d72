package transform

// runFilter keeps the rows for which the expression is true; a null result
// (see evaluator.eval) drops the row.
func runFilter(rs *runState, sp stepPlan, t *table) error {
	ev := newEvaluator(sp.expr, t)
	keep := make([]int, 0, t.n)
	for i := 0; i < t.n; i++ {
		if err := rs.check(i); err != nil {
			return err
		}
		if out, ok := ev.eval(i); ok {
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
