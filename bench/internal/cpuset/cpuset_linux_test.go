package cpuset

import (
	"os/exec"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSplitAndApply(t *testing.T) {
	l, ok := Split()
	if !ok {
		t.Skip("needs at least two CPUs")
	}
	all, _ := allowed()
	if got := append(slices.Clone(l.Grafana), l.Outside...); !slices.Equal(got, all) || len(l.Grafana) == 0 || len(l.Outside) == 0 {
		t.Fatalf("split %v + %v does not partition %v", l.Grafana, l.Outside, all)
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skip("no sleep binary:", err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	t.Cleanup(func() { _ = Shared().Apply(nil, nil) })

	if err := l.Apply([]int{child.Process.Pid}, nil); err != nil {
		t.Fatal(err)
	}
	if got := cpus(t, child.Process.Pid); !slices.Equal(got, l.Grafana) {
		t.Errorf("child on %v, want %v", got, l.Grafana)
	}
	if got := cpus(t, 0); !slices.Equal(got, l.Outside) {
		t.Errorf("this process on %v, want %v", got, l.Outside)
	}
	if err := Shared().Apply([]int{child.Process.Pid}, nil); err != nil {
		t.Fatal(err)
	}
	if got := cpus(t, child.Process.Pid); !slices.Equal(got, all) {
		t.Errorf("after Shared, child on %v, want %v", got, all)
	}
}

func cpus(t *testing.T, pid int) []int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(pid, &set); err != nil {
		t.Fatal(err)
	}
	var out []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}
