//go:build mage
// +build mage

// Mage targets for the backend, on the plugin SDK's build package:
//
//	go tool mage -v build:linux   # linux/amd64 (what CI builds)
//	go tool mage -v release       # linux/amd64, linux/arm64, darwin/arm64, windows/amd64
//
// Binaries go to dist/ as gpx_relay_<os>_<arch>[.exe] (the executable named in
// src/plugin.json), next to the go_plugin_build_manifest Grafana's validator reads.
package main

import (
	"github.com/magefile/mage/mg"

	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

// Default builds the backend for linux/amd64.
var Default = Linux

// Linux builds the backend for linux/amd64.
func Linux() { mg.Deps(build.Build{}.Linux) }

// Release builds the backend for every platform Relay ships: linux/amd64,
// linux/arm64, darwin/arm64 and windows/amd64. One at a time: each build
// rewrites the shared manifest, and parallel builds would swamp a small machine.
func Release() {
	b := build.Build{}
	mg.SerialDeps(b.Linux, b.LinuxARM64, b.DarwinARM64, b.Windows)
}
