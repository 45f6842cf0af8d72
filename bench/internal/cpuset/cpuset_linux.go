package cpuset

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

func self() int { return os.Getpid() }

// startCPUs are the CPUs this process was allowed at start, before any Apply
// narrowed them; Shared restores them.
var startCPUs, startErr = readAffinity()

func allowed() ([]int, error) { return startCPUs, startErr }

func readAffinity() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// pin sets the affinity of every thread of pid; threads it starts later
// inherit it from the thread that creates them.
func pin(pid int, cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		// A thread may exit between the listing and the call.
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("pinning pid %d thread %d to CPU %v: %w", pid, tid, cpus, err)
		}
	}
	return nil
}
