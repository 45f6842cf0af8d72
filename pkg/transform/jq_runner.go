package transform

import (
	"context"
	"errors"
	"fmt"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// JQRunner runs one jq program to completion. The engine does no I/O, so
// where a program runs is the caller's choice: InProcessJQ runs it in this
// process (the engine's tests, tools); the plugin gives a runner that sends
// it to a sandboxed worker process (pkg/jqworker), because a caller's jq
// program can exhaust the stack or the memory of the process that runs it
// (docs/security.md, "jq isolation").
//
// RunJQ returns the rows the program yields as one JSON array, or an error:
// an *Error from the program's own run (RunJQJob's), a *JQLimitError when the
// sandbox stopped it, or the context's error at its deadline. The engine
// checks the answer again (size, syntax, nesting) before reading it.
type JQRunner interface {
	RunJQ(ctx context.Context, job *JQJob) ([]byte, error)
}

// JQJob is one run of a jq program: everything that crosses the sandbox
// boundary, so it is plain data (JSON in the worker protocol).
type JQJob struct {
	// Program is the jq program's text; RunJQJob compiles it again with the
	// refusals of Compile (no input, environment or output).
	Program string `json:"program"`
	// Path locates errors in the pipeline ("root", "steps[2].expr").
	Path string `json:"path"`
	// Input is the program's input: one JSON document, nested at most
	// jsonscan.MaxDepth deep. Numbers are read exactly (json.Number).
	Input []byte `json:"-"`
	// MaxRows bounds the rows yielded, MaxOutputBytes the bytes of their
	// JSON (the answer is at most MaxOutputBytes + 2: the brackets).
	MaxRows        int   `json:"maxRows"`
	MaxOutputBytes int64 `json:"maxOutputBytes"`
	// MaxHeapBytes is how far the heap may grow while the program runs
	// before it is stopped (expression_too_costly); 0 means no watch.
	MaxHeapBytes uint64 `json:"maxHeapBytes"`
}

// JQLimitError is a sandbox's report that it stopped a program for a
// resource (its worker died of it): the caller gets a 422 jq_resource_limit
// naming the reason, and nobody else notices.
type JQLimitError struct {
	Reason string // "it used more than the worker's 128 MiB of memory"
}

func (e *JQLimitError) Error() string { return "the jq program was stopped: " + e.Reason }

type jqRunnerKey struct{}

// WithJQRunner makes r the runner of every jq program run under ctx (jq
// steps and jq roots, in Run and InferSchema).
func WithJQRunner(ctx context.Context, r JQRunner) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, jqRunnerKey{}, r)
}

// jqRunnerFrom is the context's runner, in-process when none was given.
func jqRunnerFrom(ctx context.Context) JQRunner {
	if r, ok := ctx.Value(jqRunnerKey{}).(JQRunner); ok {
		return r
	}
	return InProcessJQ()
}

// InProcessJQ runs programs in this process with the bounds an in-process
// run can have: the deadline, MaxRows, MaxOutputBytes, the nesting of every
// value the program yields and the heap watchdog. It cannot bound gojq's
// own recursion over deep values, nor one allocation larger than the heap
// budget: that takes the sandbox.
func InProcessJQ() JQRunner { return inProcessJQ{} }

type inProcessJQ struct{}

func (inProcessJQ) RunJQ(ctx context.Context, job *JQJob) ([]byte, error) { return RunJQJob(ctx, job) }

// runJQ runs job on the context's runner and checks its answer: a sandbox
// worker's output is read only once it is at most the size asked for and
// valid JSON nested at most jsonscan.MaxDepth deep (jsonscan is iterative),
// so nothing downstream recurses deeper than that on it.
func runJQ(ctx context.Context, job *JQJob) ([]byte, error) {
	out, err := jqRunnerFrom(ctx).RunJQ(ctx, job)
	if err != nil {
		return nil, jqRunError(ctx, job, err)
	}
	if int64(len(out)) > job.MaxOutputBytes+2 {
		return nil, &Error{Code: CodeOutputTooLarge, Path: job.Path,
			Message: fmt.Sprintf("jq yielded more than %d bytes (the input limit)", job.MaxOutputBytes)}
	}
	if serr := jsonscan.Validate(out); serr != nil {
		return nil, &Error{Code: CodeInternal, Path: job.Path, Message: "the jq worker answered invalid rows",
			err: fmt.Errorf("jq answer: %w", serr)}
	}
	return out, nil
}

// jqRunError maps a runner's error to the engine's: the program's own
// errors pass, a sandbox's stop is jq_resource_limit, the deadline is a
// timeout at the program.
func jqRunError(ctx context.Context, job *JQJob, err error) error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var le *JQLimitError
	if errors.As(err, &le) {
		return &Error{Code: CodeJQResourceLimit, Path: job.Path, Message: le.Error(), err: le}
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cause := ctx.Err()
		if cause == nil {
			cause = err
		}
		return &Error{Code: CodeTimeout, Path: job.Path, Message: "transformation timed out while running the jq program", err: cause}
	}
	return &Error{Code: CodeInternal, Path: job.Path, Message: "internal error while running the jq program", err: err}
}
