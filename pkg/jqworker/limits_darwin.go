package jqworker

// applyHardLimits on macOS arms the CPU backstop only: macOS does not
// enforce RLIMIT_DATA on mapped memory, and RLIMIT_AS is below what the Go
// runtime reserves. Memory is bounded by Go's soft limit and the heap
// watchdog; a crash still ends only the worker.
func applyHardLimits(int64) string {
	armCPULimit()
	return "RLIMIT_CPU per program"
}
