package jsonscan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzValidateJSON: the hand-written validator agrees with encoding/json, and
// the row bounds it records are exactly the array's elements.
func FuzzValidateJSON(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/golden/*/input.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[1, "a\"b\\u00e9", {"x": [true, false, null]}, -0.5e+3]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		bounds, err := ValidateRows(b)
		want := json.Valid(b)
		if err != nil && strings.Contains(err.Msg, "nested deeper") {
			return
		}
		if (err == nil) != want {
			t.Fatalf("Validate: %v, encoding/json valid: %v", err, want)
		}
		if err != nil {
			return
		}
		var elems []json.RawMessage
		if json.Unmarshal(b, &elems) != nil {
			return // not an array
		}
		if len(bounds) != 2*len(elems) {
			t.Fatalf("%d bounds for %d elements", len(bounds)/2, len(elems))
		}
		for i, e := range elems {
			if got := string(b[bounds[2*i]:bounds[2*i+1]]); got != strings.TrimSpace(string(e)) {
				t.Fatalf("element %d: %q, want %q", i, got, e)
			}
		}
		if n := CountElements(string(b[SkipWS(b, 0):])); n != len(elems) {
			t.Fatalf("CountElements %d, want %d", n, len(elems))
		}
	})
}
