package jqworker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// applyHardLimits caps the worker's writable memory (RLIMIT_DATA: heap,
// stacks and every private writable mapping, counted by Linux since 4.7) at
// what it holds now plus memory, bounds its address space likewise (with
// room: Go reserves more address space than it uses), and arms the CPU
// backstop. An allocation past a cap fails, and the Go runtime dies of it
// ("out of memory").
func applyHardLimits(memory int64) string {
	applied := []string{}
	if base, ok := vmStatus("VmData"); ok {
		limit := base + uint64(memory)*raceDataFactor
		if syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: limit, Max: limit}) == nil {
			applied = append(applied, fmt.Sprintf("RLIMIT_DATA=%dMiB", limit>>20))
		}
	}
	// The address space too, with room for the runtime's reservations
	// around the heap (64 MiB arenas, bitmaps, stacks): a single allocation
	// far beyond the budget (a gigabyte string) then fails at its
	// reservation already, whatever the data limit counted so far.
	if base, ok := vmStatus("VmSize"); ok {
		limit := base + (4*uint64(memory)+256<<20)*raceDataFactor
		if syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit}) == nil {
			applied = append(applied, fmt.Sprintf("RLIMIT_AS=%dMiB", limit>>20))
		}
	}
	armCPULimit()
	return strings.Join(append(applied, "RLIMIT_CPU per program"), ",")
}

// vmStatus is a field of /proc/self/status (VmData, VmSize) in bytes.
func vmStatus(field string) (uint64, bool) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n << 10, err == nil
		}
	}
	return 0, false
}
