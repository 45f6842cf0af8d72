//go:build !linux

package jqworker

import "syscall"

// sysProcAttr: elsewhere a worker notices the plugin's end when its stdin
// closes (between programs), and its CPU limit or deadline ends the rest.
func sysProcAttr() *syscall.SysProcAttr { return nil }
