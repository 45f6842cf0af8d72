package transform

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("%T %v is not an *Error", err, err)
	}
	if te.Code != code {
		t.Fatalf("code %s (%v), want %s", te.Code, err, code)
	}
	return te
}

func rowsJSON(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"i":%d,"s":"row %d"}`, i, i)
	}
	b.WriteString("]")
	return b.String()
}

func TestMaxRows(t *testing.T) {
	lim := Limits{MaxRows: 10}
	ndjson := strings.Repeat(`{"a":1}`+"\n", 11)
	csv := "a\n" + strings.Repeat("1\n", 11)
	for _, c := range []struct{ name, pipeline, body string }{
		{"json", `{}`, rowsJSON(11)},
		{"json root", `{"root":"x"}`, `{"x":` + rowsJSON(11) + `}`},
		{"json root modifier", `{"root":"x|@reverse"}`, `{"x":` + rowsJSON(11) + `}`},
		{"ndjson", `{"format":"ndjson"}`, ndjson},
		{"ndjson arrays", `{"format":"ndjson"}`, "[1,2,3,4,5,6]\n[7,8,9,10,11]\n"},
		{"csv", `{"format":"csv"}`, csv},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(c.pipeline, Input{Body: []byte(c.body)}, lim)
			te := wantCode(t, err, CodeTooManyRows)
			if !strings.Contains(te.Message, "10") {
				t.Errorf("message %q does not state the limit", te.Message)
			}
			if te.HTTPStatus() != 413 {
				t.Errorf("status %d", te.HTTPStatus())
			}
		})
	}
	// Exactly at the limit is fine.
	if res := mustRun(t, `{}`, rowsJSON(10), lim); res.Rows != 10 {
		t.Fatalf("rows %d", res.Rows)
	}
}

func TestMaxInputBytes(t *testing.T) {
	body := rowsJSON(100)
	_, err := run(`{}`, Input{Body: []byte(body)}, Limits{MaxInputBytes: int64(len(body) - 1)})
	wantCode(t, err, CodeInputTooLarge)
	mustRun(t, `{}`, body, Limits{MaxInputBytes: int64(len(body))})
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	body := []byte(rowsJSON(50))
	// Declared, as "x-gzip", in any case.
	for _, enc := range []string{"gzip", "x-gzip", "GZIP"} {
		res, err := run(`{}`, Input{Body: gz(body), ContentEncoding: enc}, Limits{})
		if err != nil || res.Rows != 50 {
			t.Fatalf("%q: %v", enc, err)
		}
	}
	// Not declared: the bytes are what they are (issue 21: never decoded on magic bytes).
	_, err := run(`{}`, Input{Body: gz(body)}, Limits{})
	wantCode(t, err, CodeInvalidInput)
	// The limit applies after decompression.
	_, err = run(`{}`, Input{Body: gz(body), ContentEncoding: "gzip"}, Limits{MaxInputBytes: int64(len(body) - 1)})
	wantCode(t, err, CodeInputTooLarge)

	_, err = run(`{}`, Input{Body: body, ContentEncoding: "gzip"}, Limits{})
	wantCode(t, err, CodeInvalidInput)
	_, err = run(`{}`, Input{Body: body, ContentEncoding: "br"}, Limits{})
	wantCode(t, err, CodeInvalidInput)
	truncated := gz(body)
	_, err = run(`{}`, Input{Body: truncated[:len(truncated)/2], ContentEncoding: "gzip"}, Limits{})
	wantCode(t, err, CodeInvalidInput)
}

// TestGzipBomb: 256 MiB of zeros compress to about 256 KiB; decompressing
// must stop at the limit and allocate about that much, not 256 MiB.
func TestGzipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zero := make([]byte, 1<<20)
	for i := 0; i < 256; i++ {
		zw.Write(zero)
	}
	zw.Close()
	bomb := buf.Bytes()
	const limit = 4 << 20
	for _, body := range [][]byte{bomb, forgeSize(bomb, 0xffffffff), forgeSize(bomb, limit-1)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := run(`{}`, Input{Body: body, ContentEncoding: "gzip"}, Limits{MaxInputBytes: limit})
		runtime.ReadMemStats(&after)
		wantCode(t, err, CodeInputTooLarge)
		// Growing by doubling up to the limit allocates at most about twice it.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*limit {
			t.Fatalf("allocated %d bytes for a %d byte limit", alloc, limit)
		}
	}
}

// forgeSize overwrites the gzip trailer's size field.
func forgeSize(gz []byte, size uint32) []byte {
	b := append([]byte(nil), gz...)
	binary.LittleEndian.PutUint32(b[len(b)-4:], size)
	return b
}

func TestMaxColumns(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 20; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"k%d":1}`, i)
	}
	b.WriteString("]")
	_, err := run(`{}`, Input{Body: []byte(b.String())}, Limits{MaxColumns: 10})
	wantCode(t, err, CodeTooManyColumns)
	csv := strings.Repeat("a,", 20) + "a\n"
	_, err = run(`{"format":"csv"}`, Input{Body: []byte(csv)}, Limits{MaxColumns: 10})
	wantCode(t, err, CodeTooManyColumns)
	// Rows × columns: 20 sparse columns of 20 rows exceed 100 cells.
	_, err = run(`{}`, Input{Body: []byte(b.String())}, Limits{MaxCells: 100})
	wantCode(t, err, CodeOutputTooLarge)
	// Explicit columns are checked before reading: 20 rows × 6 columns.
	_, err = run(`{"columns":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"},{"name":"e"},{"name":"f"}]}`, Input{Body: []byte(b.String())}, Limits{MaxCells: 100})
	wantCode(t, err, CodeOutputTooLarge)
	// So are computed columns: 20 rows × (5 + 1) columns.
	_, err = run(`{"columns":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"},{"name":"e"}],"steps":[{"type":"compute","name":"x","expr":"1"}]}`, Input{Body: []byte(b.String())}, Limits{MaxCells: 100})
	te := wantCode(t, err, CodeOutputTooLarge)
	if te.Path != "steps[0]" {
		t.Errorf("path %q", te.Path)
	}
}

func TestMaxCellsBeyondLines(t *testing.T) {
	// 2 NDJSON lines of 3000 rows each, 2 columns: 12000 cells > 10000.
	line := `[` + strings.Repeat(`{"a":1,"b":2},`, 2999) + `{"a":1,"b":2}]` + "\n"
	_, err := run(`{"format":"ndjson"}`, Input{Body: []byte(line + line)}, Limits{MaxCells: 10000})
	wantCode(t, err, CodeOutputTooLarge)
	mustRun(t, `{"format":"ndjson"}`, line+line, Limits{MaxCells: 13000})
}

func TestMaxCellsWide(t *testing.T) {
	// 50 hosts with 50 distinct times each: a 50×51 wide frame.
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 50; i++ {
		for h := 0; h < 50; h++ {
			if i+h > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"time":%d,"host":"h%d","v":%d}`, 1714557600+i*50+h, h, i)
		}
	}
	b.WriteString("]")
	_, err := run(`{"shape":"timeseries-wide"}`, Input{Body: []byte(b.String())}, Limits{MaxCells: 1000})
	wantCode(t, err, CodeOutputTooLarge)
}

func TestComputeOutputBudget(t *testing.T) {
	body := rowsJSON(200)
	// Each row computes ~30 KB of text; the budget is 4 × the input limit.
	_, err := run(`{"steps":[{"type":"compute","name":"big","expr":"toJSON(1..3000)"}]}`, Input{Body: []byte(body)}, Limits{MaxInputBytes: int64(len(body))})
	te := wantCode(t, err, CodeOutputTooLarge)
	if te.Path != "steps[0]" {
		t.Errorf("path %q", te.Path)
	}
}

func TestDeepNesting(t *testing.T) {
	for _, body := range []string{
		strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
		`{"a":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5001),
	} {
		_, err := run(`{}`, Input{Body: []byte(body)}, Limits{})
		te := wantCode(t, err, CodeInvalidInput)
		if !strings.Contains(te.Message, "nested deeper") {
			t.Errorf("message %q", te.Message)
		}
		_, err = run(`{"format":"ndjson"}`, Input{Body: []byte(body)}, Limits{})
		if err != nil { // the line is skipped with a notice
			t.Fatal(err)
		}
	}
}

// countdownCtx reports DeadlineExceeded from the n-th call to Err on, so the
// tests can stop a Run at a chosen point without depending on timing.
type countdownCtx struct {
	context.Context
	left atomic.Int64
}

func newCountdown(n int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background()}
	c.left.Store(n)
	return c
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

func (c *countdownCtx) Done() <-chan struct{} { return nil }

func TestContextDeadline(t *testing.T) {
	big := rowsJSON(20000)
	csv := "a,b\n" + strings.Repeat("1,x\n", 20000)
	ndjson := strings.Repeat(`{"a":1}`+"\n", 20000)
	for _, c := range []struct {
		name, pipeline, body string
	}{
		{"json read", `{}`, big},
		{"ndjson read", `{"format":"ndjson"}`, ndjson},
		{"csv read", `{"format":"csv"}`, csv},
		{"filter", `{"steps":[{"type":"filter","expr":"i > 0"}]}`, big},
		{"compute", `{"steps":[{"type":"compute","name":"x","expr":"i * 2"}]}`, big},
		{"groupBy", `{"steps":[{"type":"groupBy","by":["s"]}]}`, big},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Find how many checks a full run makes, then stop it half way.
			probe := newCountdown(1 << 40)
			if _, err := runCtx(probe, c.pipeline, Input{Body: []byte(c.body)}, Limits{}); err != nil {
				t.Fatal(err)
			}
			checks := 1<<40 - probe.left.Load()
			if checks < 10 {
				t.Fatalf("only %d context checks", checks)
			}
			_, err := runCtx(newCountdown(checks/2), c.pipeline, Input{Body: []byte(c.body)}, Limits{})
			te := wantCode(t, err, CodeTimeout)
			if te.HTTPStatus() != 504 || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("status %d, err %v", te.HTTPStatus(), err)
			}
		})
	}
	// A real deadline that has passed.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err := runCtx(ctx, `{}`, Input{Body: []byte(big)}, Limits{})
	wantCode(t, err, CodeTimeout)
}

// TestResultDoesNotAliasInput: callers may reuse the body buffer after Run.
func TestResultDoesNotAliasInput(t *testing.T) {
	body := []byte(`[{"s":"hello","j":{"a":"b"},"k":"x"},{"s":"world","j":[1],"k":"y"}]`)
	for _, p := range []string{`{}`, `{"columns":[{"name":"s","type":"string"},{"name":"j","type":"json"},{"name":"k"}]}`} {
		res, err := run(p, Input{Body: body}, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := res.Frames[0].MarshalJSON()
		scribble := append([]byte(nil), body...)
		for i := range body {
			body[i] = 'X'
		}
		after, _ := res.Frames[0].MarshalJSON()
		copy(body, scribble)
		if !bytes.Equal(before, after) {
			t.Fatalf("frame changed with the input:\n%s\n%s", before, after)
		}
		if res.Frames[0].Fields[0].Name != "s" {
			t.Fatal("field name changed")
		}
	}
}

// TestConcurrentRuns: one Program, many goroutines, different schemas
// (exercising the plan cache); run with -race.
func TestConcurrentRuns(t *testing.T) {
	p, err := ParsePipeline([]byte(`{"steps":[{"type":"filter","expr":"a > 1"},{"type":"compute","name":"b","expr":"a * 2"},{"type":"sort","by":[{"field":"b","desc":true}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	bodies := []string{`[{"a":1},{"a":2},{"a":3}]`, `[{"a":1,"c":"x"},{"a":2,"c":"y"},{"a":3}]`, `[{"c":true,"a":3},{"a":5}]`}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				res, err := pr.Run(context.Background(), Input{Body: []byte(bodies[(g+i)%3])}, Limits{})
				if err != nil {
					t.Error(err)
					return
				}
				if res.Rows != 2 {
					t.Errorf("rows %d", res.Rows)
				}
			}
		}()
	}
	wg.Wait()
}

func TestEmptyAndNullBodies(t *testing.T) {
	for _, c := range []struct{ pipeline, body string }{
		{`{}`, ``}, {`{}`, "  \n"}, {`{}`, `[]`}, {`{}`, `null`}, {`{"root":"a"}`, `{"b":1}`},
		{`{"format":"ndjson"}`, ``}, {`{"format":"csv"}`, ``}, {`{"format":"csv"}`, "a,b\n"},
		{`{"columns":[{"name":"a","type":"number"}]}`, `[]`},
	} {
		res, err := run(c.pipeline, Input{Body: []byte(c.body)}, Limits{})
		if err != nil {
			t.Fatalf("%s %q: %v", c.pipeline, c.body, err)
		}
		if res.Rows != 0 {
			t.Fatalf("%s %q: %d rows", c.pipeline, c.body, res.Rows)
		}
	}
}
