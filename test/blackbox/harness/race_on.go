//go:build race

package harness

// raceEnabled: the tests run with -race, so the binaries under test are built with it too.
const raceEnabled = true
