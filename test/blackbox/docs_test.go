package blackbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

var (
	shellBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")
	httpStatus = regexp.MustCompile(`@@HTTP (\d{3})@@`)
	endMarker  = regexp.MustCompile(`\n?@@END (\d+)@@\n`)
)

// expectPrefix starts a line that promises the output of the command above it: fragments that must appear in
// order, "…" standing for anything between them. Several such lines continue one promise.
const expectPrefix = "# → "

// TestDocumentedExamplesRun runs every shell example of README.md, docs/resource-api.md, docs/queries.md, docs/formats.md and docs/openapi-import.md, in order, against the
// dev host with the dev provisioning and users, exactly as a reader would type them (only the dev host's and the
// demo API's addresses are replaced), and checks each command's output against the "# → " lines after it. Every
// curl example must promise its output; none may get a 5xx or no answer at all.
func TestDocumentedExamplesRun(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	root, err := harness.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	provisioning, _ := os.ReadFile(filepath.Join(root, "dev/provisioning.yaml"))
	users, _ := os.ReadFile(filepath.Join(root, "dev/users.yaml"))
	s := harness.Start(t, harness.Options{Provisioning: string(provisioning), Users: string(users),
		Env: map[string]string{"DEMO_BEARER_TOKEN": "demo-token", "DEMO_CLIENT_SECRET": "demo-secret"}})
	// The examples reach the dev host through a recorder, whose answers are then held to the OpenAPI document.
	rec := newAnswerRecorder(t, s.DevHostURL)
	addresses := strings.NewReplacer("http://127.0.0.1:3000", rec.URL, "http://127.0.0.1:8081", s.DemoURL)
	// Each doc starts from the demo data it resets itself, so they run one after the other on one stack.
	for _, doc := range []string{"README.md", "docs/resource-api.md", "docs/queries.md", "docs/formats.md", "docs/openapi-import.md"} {
		t.Run(doc, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join(root, doc))
			if err != nil {
				t.Fatal(err)
			}
			ex := parseExamples(t, doc, string(text), addresses)
			// Twice: a reader who runs them again on the same dev host must see what the text says too.
			for seed, run := range []string{"first run", "second run"} {
				dir := t.TempDir() // examples may write files
				statuses, err := os.Create(filepath.Join(dir, ".statuses"))
				if err != nil {
					t.Fatal(err)
				}
				// Seeding $RANDOM makes the examples' fresh cache keys the same in every test run (and different
				// between the two runs), so a chance collision cannot make the test flaky.
				cmd := exec.Command("bash", "-c", fmt.Sprintf("RANDOM=%d\n%s", seed+1, ex.script))
				cmd.Dir = dir
				cmd.ExtraFiles = []*os.File{statuses}
				out, err := cmd.CombinedOutput()
				statuses.Close()
				if err != nil {
					t.Fatalf("%s: examples failed: %v\n%s", run, err, out)
				}
				log, _ := os.ReadFile(statuses.Name())
				ex.check(t, run, string(out), string(log))
			}
		})
	}
	t.Run("answers match the OpenAPI document", func(t *testing.T) { rec.validate(t, s.DevHostURL) })
}

// promise is what the text says one command prints.
type promise struct {
	line      int // of the command, in the doc
	command   string
	fragments []string
}

type examples struct {
	doc      string
	script   string
	promises []promise
}

// parseExamples turns a doc's shell blocks into one script that prints a marker after each promised command's
// output, so the output can be split per command.
func parseExamples(t *testing.T, doc, text string, addresses *strings.Replacer) examples {
	t.Helper()
	ex := examples{doc: doc}
	var script strings.Builder
	// Each curl also reports its status on file descriptor 3, apart from what the reader sees (and pipes in the
	// examples cannot swallow or interleave it). Markers go to both, so statuses can be told apart per command.
	script.WriteString("curl() { command curl --max-time 60 -w '%{stderr}@@HTTP %{http_code}@@\\n' \"$@\" 2>&3; }\n")
	for _, m := range shellBlock.FindAllStringSubmatchIndex(text, -1) {
		firstLine := strings.Count(text[:m[2]], "\n") + 1
		lines := strings.Split(text[m[2]:m[3]], "\n")
		var pending *promise // a command whose promise is due
		inPromise := false   // the line before was a promise
		lastLine := 0        // the last line that is not a comment
		loopDepth := 0
		for i, line := range lines {
			trimmed := strings.TrimSpace(line)
			if fragments, ok := strings.CutPrefix(trimmed, expectPrefix); ok {
				if !inPromise {
					if pending == nil { // output of commands that are not curl, e.g. echo
						pending = &promise{line: firstLine + lastLine, command: strings.TrimSpace(lines[lastLine])}
					}
					fmt.Fprintf(&script, "printf '\\n@@END %[1]d@@\\n'; printf '@@END %[1]d@@\\n' >&3\n", len(ex.promises))
					ex.promises = append(ex.promises, *pending)
					pending, inPromise = nil, true
				}
				p := &ex.promises[len(ex.promises)-1]
				p.fragments = append(p.fragments, strings.Split(addresses.Replace(fragments), "…")...)
				continue
			}
			inPromise = false
			if strings.HasPrefix(trimmed, "make ") {
				continue // the two set-up commands; the stack is already running
			}
			if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				lastLine = i
			}
			if isCommand(trimmed) && loopDepth == 0 {
				if pending != nil {
					t.Errorf("%s:%d: %q promises no output (add a %q line after it)", doc, pending.line, pending.command, expectPrefix)
				}
				pending = &promise{line: firstLine + i, command: trimmed}
			}
			if strings.HasPrefix(trimmed, "for ") && !strings.Contains(trimmed, "done") {
				loopDepth++
			} else if strings.HasPrefix(trimmed, "done") {
				loopDepth--
			}
			script.WriteString(addresses.Replace(line) + "\n")
		}
		if pending != nil {
			t.Errorf("%s:%d: %q promises no output (add a %q line after it)", doc, pending.line, pending.command, expectPrefix)
		}
	}
	if len(ex.promises) == 0 {
		t.Fatalf("%s: no examples found", doc)
	}
	ex.script = script.String()
	return ex
}

// isCommand: the lines that start an example whose output the reader sees (a curl, or a loop of them).
func isCommand(line string) bool {
	return !strings.HasPrefix(line, "#") && (strings.Contains(line, "curl ") || strings.HasPrefix(line, "for "))
}

// check splits the script's output and its status log at the markers and holds each command's part to its
// promise.
func (ex examples) check(t *testing.T, run, out, statusLog string) {
	t.Helper()
	outputs, statusParts := splitAtMarkers(t, run, out, len(ex.promises)), splitAtMarkers(t, run, statusLog, len(ex.promises))
	for i, p := range ex.promises {
		part := outputs[i]
		statuses := httpStatus.FindAllStringSubmatch(statusParts[i], -1)
		if strings.Contains(p.command, "curl ") && len(statuses) == 0 {
			t.Errorf("%s, %s:%d: %s\nmade no HTTP call:\n%s", run, ex.doc, p.line, p.command, part)
		}
		for _, st := range statuses {
			if st[1][0] == '5' || st[1] == "000" {
				t.Errorf("%s, %s:%d: %s\ngot HTTP %s:\n%s", run, ex.doc, p.line, p.command, st[1], part)
			}
		}
		if missing, ok := inOrder(part, p.fragments); !ok {
			t.Errorf("%s, %s:%d: %s\npromises %q, which its output lacks:\n%.3000s",
				run, ex.doc, p.line, p.command, missing, part)
		}
	}
}

// splitAtMarkers returns the text before each of the n markers, after the previous one.
func splitAtMarkers(t *testing.T, run, text string, n int) []string {
	t.Helper()
	marks := endMarker.FindAllStringSubmatchIndex(text, -1)
	if len(marks) != n {
		t.Fatalf("%s: %d promised outputs, %d markers in:\n%s", run, n, len(marks), text)
	}
	parts := make([]string, n)
	start := 0
	for i, m := range marks {
		if k, _ := strconv.Atoi(text[m[2]:m[3]]); k != i {
			t.Fatalf("%s: markers out of order in:\n%s", run, text)
		}
		parts[i], start = text[start:m[0]], m[1]
	}
	return parts
}

// inOrder reports whether every fragment occurs in s, each after the previous one; otherwise the first that does
// not.
func inOrder(s string, fragments []string) (missing string, ok bool) {
	for _, f := range fragments {
		f = strings.TrimSpace(f)
		i := strings.Index(s, f)
		if i < 0 {
			return f, false
		}
		s = s[i+len(f):]
	}
	return "", true
}
