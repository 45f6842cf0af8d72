//go:build !linux

package harness

import "os/exec"

// setParentDeathSignal is Linux-only; elsewhere only t.Cleanup stops the children.
func setParentDeathSignal(*exec.Cmd) {}

// processGone cannot tell elsewhere, so leftover build directories are kept.
func processGone(int) bool { return false }
