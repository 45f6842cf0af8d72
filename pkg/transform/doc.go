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
package transform
