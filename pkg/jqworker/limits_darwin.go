package jqworker

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// applyHardLimits on macOS arms the CPU backstop only: macOS does not
// enforce RLIMIT_DATA on mapped memory, and RLIMIT_AS is below what the Go
// runtime reserves. Memory is bounded by Go's soft limit and the heap
// watchdog; a crash still ends only the worker.
func applyHardLimits(int64) string {
	armCPULimit()
	return "RLIMIT_CPU per program"
}

const cpuLimitMessage = "jq worker: CPU time limit"

func armCPULimit() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGXCPU)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, cpuLimitMessage)
		os.Exit(3)
	}()
}

func setJobCPU(seconds int64) {
	if seconds <= 0 {
		return
	}
	var ru syscall.Rusage
	var lim syscall.Rlimit
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil || syscall.Getrlimit(syscall.RLIMIT_CPU, &lim) != nil {
		return
	}
	used := uint64(ru.Utime.Sec + ru.Stime.Sec + 1)
	lim.Cur = min(used+uint64(seconds), lim.Max)
	_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &lim)
}
