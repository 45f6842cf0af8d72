package migrate

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus/report.golden.json")

// TestCorpusReport pins the report of the corpus (every target's status,
// reason and notes) and gives the conversion rate. Run with -update to
// accept a change after reading the diff.
func TestCorpusReport(t *testing.T) {
	cfg, err := os.ReadFile("testdata/corpus/old-ds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := ReadSources(cfg)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/corpus/*.json")
	var all Report
	for _, f := range files {
		if strings.HasSuffix(f, "expected.json") || strings.HasSuffix(f, "golden.json") {
			continue
		}
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, rep, err := ConvertDashboard(in, Options{Datasources: map[string]string{"infinity-old": "relay", "jsonapi-old": "relay"}, Sources: sources})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, rep...)
	}
	c := all.Counts()
	t.Logf("corpus: %d targets: %d converted, %d partial, %d skipped (%.0f%% run in Relay)", len(all), c[Converted], c[Partial], c[Skipped],
		100*float64(c[Converted]+c[Partial])/float64(len(all)))
	got, _ := json.MarshalIndent(all, "", "  ")
	golden := "testdata/corpus/report.golden.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/migrate -run CorpusReport -update)", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
		t.Errorf("the corpus report changed (run with -update to accept):\n%s", got)
	}
}
