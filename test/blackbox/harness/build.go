package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds one go install; a cold build of the SDK with -race takes a few minutes on two cores.
const buildTimeout = 10 * time.Minute

// Binaries are installed with `go install` into one directory per package under
// $TMPDIR/relay-harness/<module>-<race|norace>/. go install relinks only when the build inputs changed (it
// compares the build ID of the installed binary with the one it would build), so all the test binaries of one
// `go test ./...` run, and later runs, share one build instead of linking their own. A file lock keeps two test
// processes from linking the same binary at once.
var builds struct {
	mu     sync.Mutex
	byPath map[string]*buildResult
}

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// build returns the path of the main package pkg (relative to the module root), installed on first use.
func build(t testing.TB, pkg string) string {
	t.Helper()
	builds.mu.Lock()
	if builds.byPath == nil {
		builds.byPath = map[string]*buildResult{}
	}
	b := builds.byPath[pkg]
	if b == nil {
		b = &buildResult{}
		builds.byPath[pkg] = b
	}
	builds.mu.Unlock()

	b.once.Do(func() { b.path, b.err = install(pkg) })
	if b.err != nil {
		t.Fatalf("harness: building %s: %v", pkg, b.err)
	}
	return b.path
}

// install runs go install for pkg into its cache directory and returns the binary's path. The Relay plugin gets
// the version of package.json as the SDK's build package gives it, and a plugin.json beside it, as in a plugin
// folder: the dev host, like Grafana, reads the plugin's version from there.
func install(pkg string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(pkg))); err != nil {
		return "", fmt.Errorf("package %s not found under %s", pkg, root)
	}
	dir := filepath.Join(cacheRoot(root), strings.Trim(strings.NewReplacer("/", "_", ".", "_").Replace(pkg), "_"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()

	args := []string{"install"}
	if raceEnabled {
		args = append(args, "-race")
	}
	var pluginJSON []byte
	if pkg == DefaultPluginPackage {
		v, err := ReadVersion(root)
		if err != nil {
			return "", err
		}
		if pluginJSON, err = renderPluginJSON(root, v); err != nil {
			return "", err
		}
		args = append(args, "-ldflags", VersionLDFlags(DefaultPluginID, v))
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, output)
	}
	if pluginJSON != nil {
		if err := writeIfChanged(filepath.Join(dir, "plugin.json"), pluginJSON); err != nil {
			return "", err
		}
	}
	name := filepath.Base(filepath.FromSlash(pkg))
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(dir, name), nil
}

// cacheRoot is this module's build cache: one per checkout (so worktrees do not relink each other's binaries)
// and per race setting (so a run with -race and one without do not either).
func cacheRoot(moduleRoot string) string {
	sum := sha256.Sum256([]byte(moduleRoot))
	mode := "norace"
	if raceEnabled {
		mode = "race"
	}
	return filepath.Join(os.TempDir(), "relay-harness", hex.EncodeToString(sum[:6])+"-"+mode)
}

func writeIfChanged(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path) // readers see the old file or the new one, never half of it
}

// ModuleRoot walks up from the working directory (a test's package directory) to the directory with go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
