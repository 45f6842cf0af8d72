package harness

import (
	"os"
	"os/exec"
	"syscall"
)

// setParentDeathSignal sends SIGTERM to a child if the test binary dies without running its cleanups (a test
// timeout panics and skips t.Cleanup): the dev host then stops its plugin, and nothing is left running.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// lockFile holds an exclusive lock on path until unlock; the kernel drops it if the process dies.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}
