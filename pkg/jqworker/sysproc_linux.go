package jqworker

import "syscall"

// sysProcAttr: a worker dies with the plugin, even mid-program (an idle
// worker also exits when its stdin closes).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
