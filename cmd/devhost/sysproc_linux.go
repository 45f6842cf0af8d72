package main

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has the kernel kill the plugin if the dev host dies without running its cleanup (SIGKILL,
// a test binary's timeout panic), so no orphaned plugin keeps running on a shared machine.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
