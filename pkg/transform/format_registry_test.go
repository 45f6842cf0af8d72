package transform

import (
	"slices"
	"strings"
	"testing"
)

// Every registered format is complete: a reader for pages and their table,
// a schema sample, a way for auto to recognise it; Formats lists them in
// their order, then auto. A new format is its format_<name>.go (and its
// test); this test and TestFrontendRegistry (src/api/registry.gen.ts) hold
// it to the rest.
func TestFormatRegistry(t *testing.T) {
	if got := Formats(); !slices.Equal(got, []string{FormatJSON, FormatNDJSON, FormatCSV, FormatXML, FormatHTML, FormatAuto}) {
		t.Errorf("Formats() = %v", got)
	}
	sniffs := map[int]string{}
	for _, r := range formatReaders {
		if r.page == nil || r.table == nil || r.schema == nil || r.mediaType == nil || r.sniff == nil {
			t.Errorf("format %s: incomplete reader", r.name)
		}
		if o, dup := sniffs[r.sniffOrder]; dup {
			t.Errorf("formats %s and %s share sniffOrder %d", o, r.name, r.sniffOrder)
		}
		sniffs[r.sniffOrder] = r.name
		if formatReaderOf(r.name) != r {
			t.Errorf("format %s not found by name", r.name)
		}
	}
	if formatReaderOf("") != formatReaderOf(FormatJSON) || formatReaderOf(FormatAuto) != nil {
		t.Error(`"" is json, auto is no reader`)
	}
	// The pipeline's checks come from the readers.
	for js, want := range map[string]string{
		`{"format":"yaml"}`:                                `unknown format "yaml" (one of json, ndjson, csv, xml, html, auto)`,
		`{"format":"csv","root":"a"}`:                      `not used by format "csv"`,
		`{"format":"xml","csv":{"delimiter":";"}}`:         `only allowed with format "csv" or "auto"`,
		`{"format":"html","root":"tr[["}`:                  `invalid CSS selector`,
		`{"format":"ndjson","rootSyntax":"jq","root":"."}`: `only with format json or auto`,
	} {
		if _, err := ParsePipeline([]byte(js)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", js, err, want)
		}
	}
}
