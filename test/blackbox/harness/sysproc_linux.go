package harness

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal sends SIGTERM to a child if the test binary dies without running its cleanups (a test
// timeout panics and skips t.Cleanup): the dev host then stops its plugin, and nothing is left running.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// processGone reports whether no process has this PID (a leftover build directory's owner has exited).
func processGone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }
