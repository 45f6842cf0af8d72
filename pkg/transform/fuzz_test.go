package transform

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkResult fails on internal errors (a recovered panic: Run must never
// panic) and on malformed frames.
func checkResult(t *testing.T, res *Result, err error) {
	t.Helper()
	if err != nil {
		var te *Error
		if !errors.As(err, &te) {
			t.Fatalf("error %T is not an *Error: %v", err, err)
		}
		if te.Code == CodeInternal {
			t.Fatalf("internal error: %v", te.Unwrap())
		}
		return
	}
	if len(res.Frames) != 1 {
		t.Fatalf("%d frames", len(res.Frames))
	}
	f := res.Frames[0]
	n, lerr := f.RowLen()
	if lerr != nil {
		t.Fatalf("fields of different lengths: %v", lerr)
	}
	if n != res.Rows {
		t.Fatalf("Rows %d, frame has %d", res.Rows, n)
	}
	if _, err := f.MarshalJSON(); err != nil {
		t.Fatalf("frame does not marshal: %v", err)
	}
}

func seedFiles(f *testing.F, pattern string, add func([]byte)) {
	files, _ := filepath.Glob(filepath.Join("testdata/golden/*", pattern))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			add(b)
		}
	}
}

func FuzzParsePipeline(f *testing.F) {
	seedFiles(f, "pipeline.json", func(b []byte) { f.Add(b) })
	f.Add([]byte(`{"steps":[{"type":"sort","by":["a",{"field":"b","desc":true}]}]}`))
	f.Add([]byte(`{"columns":[{"name":"t","timeFormat":"2006-01-02"}],"shape":"timeseries-wide"}`))
	body := []byte(`[{"a":1,"b":"x","t":"2024-05-01T10:00:00Z","j":{"k":[1]}},{"a":null,"b":"y","t":"2024-05-01T10:01:00Z"}]`)
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ParsePipeline(raw)
		if err != nil {
			var te *Error
			var ve *ValidationError
			if !errors.As(err, &te) || te.Code != CodeInvalidPipeline || !errors.As(err, &ve) {
				t.Fatalf("unexpected error %T %v", err, err)
			}
			return
		}
		pr, err := Compile(p)
		if err != nil {
			t.Fatalf("valid pipeline does not compile: %v", err)
		}
		if _, err := ParsePipeline([]byte(pr.executed)); err != nil {
			t.Fatalf("executed pipeline %s does not parse: %v", pr.executed, err)
		}
		res, err := pr.Run(t.Context(), Input{Body: body}, Limits{MaxCells: 10000})
		checkResult(t, res, err)
	})
}

var readerPipelines = []string{
	`{}`,
	`{"columns":[{"name":"a","type":"number"},{"name":"b","selector":"b.c","type":"string"},{"name":"t","type":"time"},{"name":"j","type":"json"},{"name":"x"}]}`,
	`{"steps":[{"type":"sort","by":["a"]},{"type":"limit","count":3}],"shape":"timeseries-wide"}`,
}

func FuzzJSONReader(f *testing.F) {
	seedFiles(f, "input.json", func(b []byte) { f.Add(b, "", uint8(0)) })
	f.Add([]byte(`{"data":{"items":[{"a":1},{"a":"2"}]}}`), "data.items", uint8(1))
	f.Add([]byte(`[[1,2],[3,4]]`), "@flatten", uint8(0))
	f.Add([]byte(`[{"a\u0000b":"\ud800","t":1e400}]`), "", uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, root string, mode uint8) {
		p := readerPipelines[int(mode)%len(readerPipelines)]
		if root != "" && int(mode)%len(readerPipelines) == 0 {
			rootJSON, _ := json.Marshal(root)
			p = `{"root":` + string(rootJSON) + `}`
		}
		res, err := run(p, Input{Body: body}, Limits{MaxCells: 100000, MaxRows: 5000})
		if err != nil && strings.Contains(err.Error(), "invalid_pipeline") {
			return
		}
		checkResult(t, res, err)
	})
}

func FuzzNDJSONReader(f *testing.F) {
	seedFiles(f, "input.ndjson", func(b []byte) { f.Add(b, uint8(0)) })
	f.Add([]byte("{\"a\":1}\r\n\n[1,2]\n\"x\"\n{bad"), uint8(1))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		p := strings.Replace(readerPipelines[int(mode)%len(readerPipelines)], "{", `{"format":"ndjson",`, 1)
		p = strings.Replace(p, ",}", "}", 1)
		res, err := run(p, Input{Body: body}, Limits{MaxCells: 100000, MaxRows: 5000})
		checkResult(t, res, err)
	})
}

func FuzzCSVReader(f *testing.F) {
	seedFiles(f, "input.csv", func(b []byte) { f.Add(b, uint8(','), true) })
	f.Add([]byte("a;b\n1;2\n\"x\"\"\";\n"), uint8(';'), true)
	f.Add([]byte("1\t2\n3\n"), uint8('\t'), false)
	f.Fuzz(func(t *testing.T, body []byte, delim uint8, header bool) {
		d, _ := json.Marshal(string(rune(delim)))
		for _, p := range []string{
			`{"format":"csv","csv":{"delimiter":` + string(d) + `,"header":` + map[bool]string{true: "true", false: "false"}[header] + `}}`,
			`{"format":"csv","columns":[{"name":"a","type":"number"},{"name":"t","selector":"col1","type":"time"},{"name":"b","type":"boolean"},{"name":"j","type":"json"}]}`,
		} {
			res, err := run(p, Input{Body: body}, Limits{MaxCells: 100000, MaxRows: 5000})
			var te *Error
			if errors.As(err, &te) && te.Code == CodeInvalidPipeline {
				continue // e.g. a delimiter that cannot be one
			}
			checkResult(t, res, err)
		}
	})
}

// FuzzRFC3339: the fast path agrees with time.Parse exactly.
func FuzzRFC3339(f *testing.F) {
	for _, s := range []string{"2024-05-01T10:00:00Z", "2024-02-29T23:59:59.999999999+14:00", "2023-02-29T00:00:00Z",
		"2024-05-01T10:00:00.Z", "2024-05-01t10:00:00z", "0000-01-01T00:00:00-00:00", "2024-05-01T24:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRFC3339(s)
		want, err := time.Parse(time.RFC3339, s)
		if ok != (err == nil) {
			t.Fatalf("%q: ours ok=%v, time.Parse err=%v", s, ok, err)
		}
		if ok && !got.Equal(want) {
			t.Fatalf("%q: %v, want %v", s, got, want)
		}
	})
}

// FuzzExpressions: whatever an expression computes (numbers, NaN, strings,
// times, durations, maps, nil), the following steps and shapes cope with it.
func FuzzExpressions(f *testing.F) {
	for _, e := range []string{"a * 2", "s + 'x'", "t + duration('1h')", "{'k': a}", "a > 1 ? 'x' : a", "nil", "0/0",
		"t - t", "[a, s]", "a > 1", "now()", "b ?? false", "int(s)", "date(s)"} {
		f.Add(e, uint8(0))
	}
	body := []byte(`[{"a":1,"s":"2024-05-01","t":"2024-05-01T10:00:00Z","b":true},{"a":null,"s":"x","t":"2024-05-01T09:00:00Z"},{"a":3,"s":"y","t":null,"b":false}]`)
	shapes := []string{ShapeTable, ShapeTimeSeriesLong, ShapeTimeSeriesWide}
	f.Fuzz(func(t *testing.T, expr string, mode uint8) {
		e, _ := json.Marshal(expr)
		p := `{"shape":"` + shapes[int(mode)%3] + `","steps":[{"type":"compute","name":"x","expr":` + string(e) + `},` +
			`{"type":"sort","by":[{"field":"x","desc":true}]},` +
			`{"type":"groupBy","by":["x","b"],"timeBucket":{"field":"t","interval":"1h"},"aggregates":[{"op":"first","field":"x","as":"f"},{"op":"count","field":"x","as":"c"},{"op":"last","field":"a"}]}]}`
		res, err := run(p, Input{Body: body}, Limits{MaxCells: 10000})
		checkResult(t, res, err)
	})
}

// FuzzPipeline drives random roots (modifiers and multipaths included),
// filters and computes over random JSON within small limits and a deadline:
// no panic, every error a typed *Error of a known code, and a result no
// larger than the limits allow.
func FuzzPipeline(f *testing.F) {
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	for _, s := range []struct{ root, filter, compute, body string }{
		{"s|@fromstr|@pretty", "true", "1", `{"s":"` + deep + `"}`},
		{"", "len(filter(1..400000, # % 7 == 0)) > 0", "i", `[{"i":1},{"i":2}]`},
		{"items|@reverse", "i > 1", "s + s + s", `{"items":[{"i":2,"s":"ab"},{"i":1}]}`},
		{"[a,a,a]|@flatten", "any(a, # > 0)", "toJSON(map(1..50, s))", `{"a":[{"s":"x","a":[1]}]}`},
		{"x.#(k==1)#", "k != nil", "replace(s, '', s)", `{"x":[{"k":1,"s":"abc"}]}`},
		{"@dig:k", "fromJSON(s) != nil", "reduce(1..100, #acc + s, '')", `{"k":{"k":1},"s":"[1]"}`},
		{"{a,b}|@values", "true", "upper(string(#))", `{"a":1,"b":[2]}`},
	} {
		f.Add(s.root, s.filter, s.compute, []byte(s.body))
	}
	codes := []string{CodeInvalidPipeline, CodeInvalidInput, CodeInputTooLarge, CodeTooManyRows,
		CodeTooManyColumns, CodeOutputTooLarge, CodeExprTooCostly, CodeTimeout}
	lim := Limits{MaxInputBytes: 64 << 10, MaxRows: 1000, MaxColumns: 50, MaxCells: 5000}
	f.Fuzz(func(t *testing.T, root, filter, compute string, body []byte) {
		steps := []map[string]string{}
		if filter != "" {
			steps = append(steps, map[string]string{"type": "filter", "expr": filter})
		}
		if compute != "" {
			steps = append(steps, map[string]string{"type": "compute", "name": "c", "expr": compute})
		}
		raw, _ := json.Marshal(map[string]any{"root": root, "steps": steps})
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		res, err := runCtx(ctx, string(raw), Input{Body: body}, lim)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) || !slices.Contains(codes, te.Code) {
				t.Fatalf("error %T %v is not a typed transform error", err, err)
			}
			return
		}
		checkResult(t, res, nil)
		out, _ := res.Frames[0].MarshalJSON()
		if res.Rows > lim.MaxRows || int64(len(out)) > 2*textBudgetFactor*lim.MaxInputBytes+64*lim.MaxCells {
			t.Fatalf("result of %d rows, %d bytes exceeds the limits", res.Rows, len(out))
		}
	})
}

// FuzzJQ: any jq program over any rows ends in a frame or a typed error,
// within the limits and a deadline.
func FuzzJQ(f *testing.F) {
	for _, e := range []string{`.[] | select(.a > 1)`, `map({a, b: (.a * 2)})`, `.[0]`, `[.[] | .a]`, `input`, `$ENV`,
		`last(repeat(1))`, `[range(1e9)]`, `group_by(.a) | map({a: .[0].a, n: length})`, `.. | objects`, `{} | .x = .`} {
		f.Add(e, []byte(`[{"a":1,"t":"2024-05-01T10:00:00Z"},{"a":"x","b":[1,{"c":null}]}]`))
	}
	lim := Limits{MaxInputBytes: 64 << 10, MaxRows: 1000, MaxColumns: 50, MaxCells: 5000}
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		p, _ := json.Marshal(map[string]any{"steps": []any{map[string]string{"type": "jq", "expr": expr}}})
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		res, err := runCtx(ctx, string(p), Input{Body: body}, lim)
		checkResult(t, res, err)
		if err == nil && res.Rows > lim.MaxRows {
			t.Fatalf("%d rows", res.Rows)
		}
	})
}
