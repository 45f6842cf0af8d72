//go:build !linux && !darwin

package jqworker

// applyHardLimits on Windows (and other systems) sets nothing beyond the Go
// runtime's stack and soft memory limits: the worker still isolates
// crashes, and the pool kills it at the deadline.
func applyHardLimits(int64) string { return "none" }

const cpuLimitMessage = "jq worker: CPU time limit"

func setJobCPU(int64) {}
