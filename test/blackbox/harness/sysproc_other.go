//go:build !linux

package harness

import "os/exec"

// setParentDeathSignal is Linux-only; elsewhere only t.Cleanup stops the children.
func setParentDeathSignal(*exec.Cmd) {}

// lockFile does not lock elsewhere: two test processes may then link the same binary at once, which go install
// survives (it renames the new binary into place).
func lockFile(string) (func(), error) { return func() {}, nil }
