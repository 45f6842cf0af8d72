package transform

import (
	"context"
	"fmt"
	"slices"
)

// runState is what steps share during one Run.
type runState struct {
	ctx       context.Context
	lim       Limits
	ns        *notices
	outBudget int64 // bytes computed columns may still add (see compute)
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
	for _, sp := range pl.steps {
		var err error
		switch sp.Type {
		case StepFilter:
			err = runFilter(rs, sp, t)
		case StepCompute:
			err = runCompute(rs, sp, t)
		case StepRename:
			err = runRename(sp, t)
		case StepSort:
			err = runSort(rs, sp, t)
		case StepLimit:
			runLimit(sp, t)
		case StepGroupBy:
			err = runGroupBy(rs, sp, t)
		default:
			err = fmt.Errorf("unplanned step type %q", sp.Type)
		}
		if err != nil {
			return err
		}
		if err := rs.ctx.Err(); err != nil {
			return timeoutError(err)
		}
	}
	return nil
}

func runRename(sp stepPlan, t *table) error {
	pairs, paths := renames(sp.Step, sp.path)
	targets := make([]*column, len(pairs))
	for k, pr := range pairs {
		if targets[k] = t.col(pr[0]); targets[k] == nil {
			return pipelineError(unknownField(paths[k], pr[0], t.schema()))
		}
	}
	for k, c := range targets { // simultaneous: resolve all sources before renaming any
		c.name = pairs[k][1]
	}
	return nil
}

func runLimit(sp stepPlan, t *table) {
	lo := min(sp.Offset, t.n)
	hi := min(lo+sp.Count, t.n)
	if lo == 0 && hi == t.n {
		return
	}
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = lo + i
	}
	t.take(idx)
}
