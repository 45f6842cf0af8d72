//go:build !linux

package main

import "os/exec"

// setParentDeathSignal is Linux-only; elsewhere the dev host relies on its own shutdown path to stop the plugin.
func setParentDeathSignal(*exec.Cmd) {}
