package gjsonpath

import (
	"strings"
	"testing"
)

func TestFanout(t *testing.T) {
	for path, want := range map[string]int{
		"data.items": 1, "a.#.x": 1, "a|@reverse": 1, "@timestamp": 1, `a.#(x=="[1,2]")#`: 1, "items.#[k==2]": 1,
		"[a,b]": 2, `{"k":a,b:s}`: 2, "a.[#,#]": 2, "[!true,a]": 2, "[a,a]|[0,1,0]": 6,
		// each [[0,1],[0,1]] is 2 + 2; in sequence they multiply
		"a|[[0,1],[0,1]]|[[0,1],[0,1]]": 16,
		`a\.[b,c]`:                      1, // an escaped dot: "[b,c]" is part of a key
	} {
		got, err := Fanout(path)
		if err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", path, got, err, want)
		}
	}
	for path, msg := range map[string]string{
		"s|@fromstr|@pretty":                  "@fromstr is not supported",
		"x.#(@pretty)":                        "@pretty is not supported",
		"@reverse:1":                          "does not take arguments",
		"[" + strings.Repeat("a,", 70) + "a]": "more than 64 times",
	} {
		if _, err := Fanout(path); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want …%s…", path, err, msg)
		}
	}
}

// TestFanoutBoundsLength: gjson evaluates a chain one call deeper per
// component, so a long chain must be refused before gjson sees it (issue 21).
func TestFanoutBoundsLength(t *testing.T) {
	if _, err := Fanout(strings.Repeat("@this|", MaxSteps+1) + "a"); err == nil {
		t.Fatal("a chain of more than MaxSteps components passed")
	}
	if _, err := Fanout(strings.Repeat("a", MaxLength+1)); err == nil {
		t.Fatal("a path longer than MaxLength passed")
	}
	if _, err := Fanout(strings.Repeat("a.", MaxSteps-1) + "a"); err != nil {
		t.Fatalf("MaxSteps-1 dots: %v", err)
	}
	if _, err := Fanout(`a\.b\.c."x.y.z"`); err != nil {
		t.Fatalf("escaped and quoted dots: %v", err)
	}
}
