package transform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Error codes. They are part of the API: the HTTP layer and the frontend key on them.
const (
	CodeInvalidPipeline = "invalid_pipeline"      // the pipeline is malformed or does not fit the data's columns
	CodeInvalidInput    = "invalid_input"         // the body is not valid JSON/NDJSON/CSV, or cannot be decoded
	CodeInputTooLarge   = "input_too_large"       // body larger than Limits.MaxInputBytes (after decompression)
	CodeTooManyRows     = "too_many_rows"         // more rows than Limits.MaxRows
	CodeTooManyColumns  = "too_many_columns"      // more columns than Limits.MaxColumns
	CodeOutputTooLarge  = "output_too_large"      // result would exceed Limits.MaxCells or the output byte budget
	CodeExprTooCostly   = "expression_too_costly" // an expression exceeded its per-row budget (loop steps, elements, text)
	CodeTimeout         = "timeout"               // the context's deadline passed (or it was cancelled)
	CodeJQResourceLimit = "jq_resource_limit"     // the jq sandbox stopped the program: memory, stack or CPU of its worker
	CodeMemoryBudget    = "memory_budget"         // the structures built from the input passed Limits.Memory
	CodeInternal        = "internal"              // a bug; never carries internals in Message
)

// Error is the error type returned by Run, InferSchema, Compile and ParsePipeline.
// Message never contains input data beyond short excerpts that help locate a problem.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Path locates the problem in the pipeline ("steps[2].expr") when the error is about the pipeline.
	Path string `json:"path,omitempty"`

	err error // wrapped cause (e.g. *ValidationError, context.DeadlineExceeded)
}

func (e *Error) Error() string {
	if e.Path != "" {
		return e.Path + ": " + e.Message
	}
	return e.Message
}

// Unwrap exposes the cause, so errors.As(err, &*ValidationError) and
// errors.Is(err, context.DeadlineExceeded) keep working through *Error.
func (e *Error) Unwrap() error { return e.err }

// HTTPStatus is the status code the HTTP layer should answer with for this error.
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case CodeInvalidPipeline, CodeInvalidInput:
		return http.StatusBadRequest
	case CodeExprTooCostly, CodeJQResourceLimit:
		return http.StatusUnprocessableEntity
	case CodeInputTooLarge, CodeTooManyRows, CodeTooManyColumns, CodeOutputTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeTimeout:
		return http.StatusGatewayTimeout
	case CodeMemoryBudget:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ValidationError is a fault in the pipeline itself. Path follows the JSON
// structure of the pipeline: "format", "columns[1].type", "steps[2].expr".
type ValidationError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (e *ValidationError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// AsError converts any error returned by this package into an *Error, so
// callers need a single code path. Unknown errors become CodeInternal with a
// generic message (the original is still reachable through Unwrap for logging).
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &Error{Code: CodeInvalidPipeline, Path: ve.Path, Message: ve.Message, err: ve}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return timeoutError(err)
	}
	return &Error{Code: CodeInternal, Message: "internal error in transformation", err: err}
}

func verr(path, format string, args ...any) *ValidationError {
	return &ValidationError{Path: path, Message: fmt.Sprintf(format, args...)}
}

func inputError(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidInput, Message: fmt.Sprintf(format, args...)}
}

func pipelineError(ve *ValidationError) *Error {
	return &Error{Code: CodeInvalidPipeline, Path: ve.Path, Message: ve.Message, err: ve}
}

func timeoutError(cause error) *Error {
	msg := "transformation timed out"
	if errors.Is(cause, context.Canceled) {
		msg = "transformation cancelled"
	}
	return &Error{Code: CodeTimeout, Message: msg, err: cause}
}

func tooManyRows(limit int) *Error {
	return &Error{Code: CodeTooManyRows, Message: fmt.Sprintf("too many rows: the limit is %d", limit)}
}
