package main

import (
	"strings"
	"testing"
)

func TestRawStderrWriterForwardsOnlyNonJSONLines(t *testing.T) {
	var out strings.Builder
	w := &rawStderrWriter{out: &out}
	// go-plugin writes each line, then "\n", separately; lines may also arrive in pieces.
	for _, p := range []string{`{"@level":"info","@message":"hi"}`, "\n", "WARNING: DATA", " RACE", "\n", "  \n", "panic: boom\n{\"x\":1}\n"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	want := "plugin stderr: WARNING: DATA RACE\nplugin stderr: panic: boom\n"
	if out.String() != want {
		t.Errorf("forwarded %q, want %q", out.String(), want)
	}

	out.Reset()
	skip := &rawStderrWriter{out: &out, skip: true}
	_, _ = skip.Write([]byte("shown by go-plugin's debug log instead\n"))
	if out.Len() != 0 {
		t.Errorf("skip mode forwarded %q", out.String())
	}
}

func TestRawStderrWriterBoundsLongLines(t *testing.T) {
	var out strings.Builder
	w := &rawStderrWriter{out: &out}
	_, _ = w.Write([]byte(strings.Repeat("x", maxRawLine+10)))
	if out.Len() == 0 || len(w.line) != 0 {
		t.Errorf("an over-long line was held back: forwarded %d bytes, buffered %d", out.Len(), len(w.line))
	}
}
