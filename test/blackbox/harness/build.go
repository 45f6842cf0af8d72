package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds one go build; a cold build of the SDK with -race takes a few minutes on two cores.
const buildTimeout = 10 * time.Minute

// builds caches binaries for the life of the test binary, in one directory per process under
// $TMPDIR/relay-harness. Directories of processes that no longer exist are removed on first use, so runs do not
// accumulate binaries even though a test binary has no hook at exit.
var builds struct {
	mu     sync.Mutex
	root   string
	dir    string
	err    error
	byPath map[string]*buildResult
}

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// build returns the path of pkg (relative to the module root) built as name, building it on first use.
func build(t testing.TB, pkg, name string) string {
	t.Helper()
	root, dir, err := buildDir()
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
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

	b.once.Do(func() {
		b.path = filepath.Join(dir, name)
		b.err = goBuild(root, pkg, b.path)
	})
	if b.err != nil {
		t.Fatalf("harness: building %s: %v", pkg, b.err)
	}
	return b.path
}

func goBuild(root, pkg, out string) error {
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(pkg))); err != nil {
		return fmt.Errorf("package %s not found under %s", pkg, root)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, output)
	}
	return nil
}

// buildDir finds the module root and creates this process's build directory, once.
func buildDir() (root, dir string, err error) {
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if builds.dir != "" || builds.err != nil {
		return builds.root, builds.dir, builds.err
	}
	builds.root, builds.err = ModuleRoot()
	if builds.err != nil {
		return "", "", builds.err
	}
	parent := filepath.Join(os.TempDir(), "relay-harness")
	if builds.err = os.MkdirAll(parent, 0o700); builds.err != nil {
		return "", "", builds.err
	}
	removeStaleBuildDirs(parent)
	builds.dir, builds.err = os.MkdirTemp(parent, "run-"+strconv.Itoa(os.Getpid())+"-")
	return builds.root, builds.dir, builds.err
}

// removeStaleBuildDirs deletes run-<pid>-* directories whose process has exited.
func removeStaleBuildDirs(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "run-")
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid != os.Getpid() && processGone(pid) {
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
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
