package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestPluginConfigFlag(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "plugin")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseFlags([]string{"-plugin", bin, "-plugin-config", "redis_url=redis://:pw@127.0.0.1:1/0", "-plugin-config", "log_level=debug"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GF_PLUGIN_REDIS_URL=redis://:pw@127.0.0.1:1/0", "GF_PLUGIN_LOG_LEVEL=debug"}
	if !slices.Equal(cfg.pluginConfig, want) {
		t.Fatalf("env = %q, want %q", cfg.pluginConfig, want)
	}
	for _, bad := range []string{"novalue", "=x", "a b=c"} {
		if _, err := parseFlags([]string{"-plugin", bin, "-plugin-config", bad}, io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
