// Package transform is Relay's pure transformation engine: it turns an upstream
// response body (JSON, NDJSON or CSV, optionally gzip-compressed) and a
// declarative Pipeline into Grafana data frames.
//
// The package does no network or file I/O. It is shared by the /transform and
// /schema resource endpoints and by QueryData, so everything about a pipeline
// that can be checked without data is checked by Validate/Compile, and a
// compiled *Program is immutable and safe for concurrent use.
//
// Flow of Program.Run:
//
//	decode (gzip, size limits) → read rows into typed nullable columns
//	(explicit columns or inference) → steps (filter, compute, rename, sort,
//	limit, groupBy) → shape (table, timeseries-long, timeseries-wide) → frame.
//
// Errors are *Error values with a stable Code (see the Code* constants) so the
// HTTP layer can map them to status codes without parsing messages.
//
// Files by concern (imports inside go one way: the internal packages are
// leaves):
//
//	pipeline*.go  the Pipeline document: types, strict decoding, validation
//	step*.go      the Step interface and registry (step.go), one file per step type
//	expr_*.go     expressions: compile, evaluate, and the per-row budget (guard)
//	read_*.go     reading: body (gzip, sniffing), json, ndjson, csv, rows into
//	              columns (read_table.go), InferSchema (read_schema.go)
//	column*.go    typed nullable columns, their builders and type inference
//	value_*.go    text values: numbers, booleans, times
//	program*.go   Compile/Run, planning, shapes, the output frame
//	gjson_path.go CheckPath; internal/gjsonpath does the scanning
//	internal/jsonscan  the one-pass JSON validator (depth limit)
//
// Adding a step type is one file step_<name>.go (+ its test): a struct with
// its JSON fields, an init registering its stepKind, and the Step methods.
package transform
