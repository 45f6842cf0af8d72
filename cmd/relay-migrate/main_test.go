package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const corpus = "../../pkg/migrate/testdata/corpus/"

func TestDashboardCommand(t *testing.T) {
	in, err := os.ReadFile(corpus + "jsonapi.json")
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report.json")
	var out, errOut bytes.Buffer
	code := run([]string{"dashboard", "--datasource", "jsonapi-old=relay", "--datasource-config", corpus + "old-ds.yaml", "--report", report},
		bytes.NewReader(in), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !json.Valid(out.Bytes()) || !strings.Contains(out.String(), `"uid": "relay"`) {
		t.Errorf("output: %.300s", out.String())
	}
	if !strings.Contains(errOut.String(), "relay-migrate: 11 target(s): 6 converted, 2 partial, 3 skipped") {
		t.Errorf("summary: %s", errOut.String())
	}
	var entries []map[string]any
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &entries); err != nil || len(entries) != 11 {
		t.Fatalf("report %s: %v", b, err)
	}
	for _, k := range []string{"dashboard", "panel", "refId", "type", "status", "notes"} {
		if _, ok := entries[0][k]; !ok {
			t.Errorf("report entry lacks %q: %v", k, entries[0])
		}
	}
}

func TestDatasourceCommand(t *testing.T) {
	in, _ := os.ReadFile(corpus + "old-ds.yaml")
	var out, errOut bytes.Buffer
	if code := run([]string{"datasource"}, bytes.NewReader(in), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), "do-not-copy-me") {
		t.Fatal("a secret was copied")
	}
	if !strings.Contains(out.String(), "type: relay-gateway-datasource") || !strings.Contains(errOut.String(), "secrets to enter again") {
		t.Errorf("%s\n%s", out.String(), errOut.String())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"dashboard"}, {"dashboard", "--datasource", "x"}, {"dashboard", "--datasource", "a=b", "file.json"}} {
		var out, errOut bytes.Buffer
		if code := run(args, strings.NewReader("{}"), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "usage:") {
			t.Errorf("%v: exit %d, %s", args, code, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"dashboard", "--datasource", "a=b"}, strings.NewReader("not json"), &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "not valid JSON") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}
