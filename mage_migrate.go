//go:build mage
// +build mage

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/magefile/mage/sh"
)

// Migrate builds relay-migrate (cmd/relay-migrate, docs/migrate.md) for the
// four release platforms into artifacts/, beside the plugin zip: a command-line
// tool is no part of the plugin, and Grafana's catalog validator expects the
// zip to hold only the plugin's files and the executable plugin.json names.
func Migrate() error {
	raw, err := os.ReadFile("package.json")
	if err != nil {
		return err
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return err
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		return err
	}
	for _, p := range [][2]string{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "arm64"}, {"windows", "amd64"}} {
		out := filepath.Join("artifacts", fmt.Sprintf("relay-migrate_%s_%s_%s", pkg.Version, p[0], p[1]))
		if p[0] == "windows" {
			out += ".exe"
		}
		env := map[string]string{"GOOS": p[0], "GOARCH": p[1], "CGO_ENABLED": "0"}
		if err := sh.RunWith(env, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./cmd/relay-migrate"); err != nil {
			return err
		}
	}
	return nil
}
