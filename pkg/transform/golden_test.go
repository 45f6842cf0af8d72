package transform

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRequest optionally sets how the input is presented (request.json).
type goldenRequest struct {
	ContentType     string `json:"contentType"`
	ContentEncoding string `json:"contentEncoding"`
	Gzip            bool   `json:"gzip"` // gzip the input file before running
}

// TestGolden runs every testdata/golden/<case>: pipeline.json over
// input.{json,ndjson,csv} (and request.json if present) and compares the
// frames, as JSON, with frames.golden.json. A run that fails is compared as
// {"error": ...} instead. Regenerate with -update, then review the diff.
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata/golden", d.Name())
			got := runGoldenCase(t, dir)
			goldenPath := filepath.Join(dir, "frames.golden.json")
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("frames differ from %s (run with -update and review the diff)\n--- got:\n%s", goldenPath, got)
			}
		})
	}
}

func runGoldenCase(t *testing.T, dir string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "pipeline.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req goldenRequest
	if b, err := os.ReadFile(filepath.Join(dir, "request.json")); err == nil {
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatal(err)
		}
	}
	inputs, _ := filepath.Glob(filepath.Join(dir, "input.*"))
	if len(inputs) != 1 {
		t.Fatalf("want exactly one input.* file, got %v", inputs)
	}
	body, err := os.ReadFile(inputs[0])
	if err != nil {
		t.Fatal(err)
	}
	if req.Gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
	}
	in := Input{Body: body, ContentType: req.ContentType, ContentEncoding: req.ContentEncoding}

	var out any
	p, err := ParsePipeline(raw)
	var pr *Program
	if err == nil {
		pr, err = Compile(p)
	}
	var res *Result
	if err == nil {
		res, err = pr.Run(context.Background(), in, Limits{})
	}
	if err != nil {
		out = map[string]any{"error": AsError(err)}
	} else {
		frames := make([]json.RawMessage, len(res.Frames))
		for i, f := range res.Frames {
			if frames[i], err = json.Marshal(f); err != nil {
				t.Fatal(err)
			}
		}
		if len(res.Notices) != len(res.Frames[0].Meta.Notices) {
			t.Errorf("Result.Notices and frame notices differ")
		}
		out = frames
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(compactArrays(b), '\n')
}

// compactArrays puts the innermost arrays of scalars (the data values) on one
// line each, so golden files read like tables and diffs stay small.
func compactArrays(b []byte) []byte {
	var out bytes.Buffer
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasSuffix(line, "[") {
			j := i + 1
			var items []string
			for ; j < len(lines); j++ {
				l := strings.TrimSpace(lines[j])
				if strings.HasPrefix(l, "]") {
					break
				}
				if strings.ContainsAny(l[:1], "[{]}") || strings.HasSuffix(l, "{") || strings.HasSuffix(l, "[") {
					items = nil
					break
				}
				items = append(items, strings.TrimSuffix(l, ","))
			}
			if items != nil && j < len(lines) {
				out.WriteString(line + strings.Join(items, ", ") + strings.TrimSpace(lines[j]) + "\n")
				i = j
				continue
			}
		}
		out.WriteString(line + "\n")
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}
