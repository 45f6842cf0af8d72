//go:build linux || darwin

package jqworker

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// cpuLimitMessage is what a worker writes before it exits at its CPU limit.
const cpuLimitMessage = "jq worker: CPU time limit"

// armCPULimit makes SIGXCPU (the soft RLIMIT_CPU, which setJobCPU moves
// before every job) end the worker; Go ignores the signal otherwise.
func armCPULimit() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGXCPU)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, cpuLimitMessage)
		os.Exit(3)
	}()
}

// setJobCPU lets the next job use seconds of CPU time beyond what the
// worker used so far (the soft limit; the hard one stays).
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
