package blackbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

var (
	shellBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")
	httpStatus = regexp.MustCompile(`@@HTTP (\d{3})@@`)
)

// TestDocumentedExamplesRun runs every shell example of README.md and
// docs/resource-api.md, in order, against the dev host with the dev
// provisioning and users, exactly as a reader would type them (only the
// dev host's address is replaced). Each curl must reach Relay and get a
// non-5xx answer; examples that show a refusal get their 4xx.
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
	for _, doc := range []string{"README.md", "docs/resource-api.md"} {
		t.Run(doc, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join(root, doc))
			if err != nil {
				t.Fatal(err)
			}
			var script strings.Builder
			// Each curl also reports its status on stderr (so pipes in the
			// examples do not swallow it); the examples stay unchanged.
			script.WriteString("curl() { command curl --max-time 60 -w '%{stderr}@@HTTP %{http_code}@@\\n' \"$@\"; }\n")
			calls := 0
			for _, m := range shellBlock.FindAllStringSubmatch(string(text), -1) {
				for _, line := range strings.Split(m[1], "\n") {
					if strings.HasPrefix(strings.TrimSpace(line), "make ") {
						continue // the two set-up commands; the stack is already running
					}
					if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
						calls++
					}
					script.WriteString(strings.ReplaceAll(line, "http://127.0.0.1:3000", s.DevHostURL) + "\n")
				}
			}
			cmd := exec.Command("bash", "-c", script.String())
			cmd.Dir = t.TempDir() // examples may write files
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("examples failed: %v\n%s", err, out)
			}
			statuses := httpStatus.FindAllStringSubmatch(string(out), -1)
			if len(statuses) < calls || calls == 0 { // loops in examples may call more than once
				t.Fatalf("%d curl examples, %d answers:\n%s", calls, len(statuses), out)
			}
			for _, st := range statuses {
				if st[1][0] == '5' || st[1] == "000" {
					t.Errorf("an example got HTTP %s:\n%s", st[1], out)
					break
				}
			}
		})
	}
}
