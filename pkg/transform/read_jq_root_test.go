package transform

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestJQRoot(t *testing.T) {
	doc := `{"data":{"items":[{"id":9007199254740993,"name":"a","tags":["x","y"],"active":true},{"id":2,"name":"b","tags":[],"active":false}]},"meta":{"total":2}}`
	for _, c := range []struct{ name, pipeline, body, want string }{
		{"select rows", `{"rootSyntax":"jq","root":".data.items[] | select(.active)","columns":[{"name":"id","type":"int64"},{"name":"name"}]}`, doc,
			"id:int64 name:string\n9007199254740993 \"a\""},
		{"construct objects (manual: object construction)", `{"rootSyntax":"jq","root":".data.items[] | {name, n: (.tags | length)}"}`, doc,
			"n:float64 name:string\n2 \"a\"\n0 \"b\""}, // gojq writes keys sorted
		{"an array of rows", `{"rootSyntax":"jq","root":"[.data.items[] | {name}]"}`, doc, "name:string\n\"a\"\n\"b\""},
		{"manual: to_entries", `{"rootSyntax":"jq","root":".meta | to_entries[] | {key, value}"}`, doc, "key:string value:float64\n\"total\" 2"},
		{"manual: map and add", `{"rootSyntax":"jq","root":"{total: ([.data.items[].id] | length)}"}`, doc, "total:float64\n2"},
		{"manual: group_by", `{"rootSyntax":"jq","root":".data.items | group_by(.active)[] | {active: .[0].active, count: length}"}`, doc,
			"active:bool count:float64\nfalse 1\ntrue 1"},
		{"auto with jq", `{"format":"auto","rootSyntax":"jq","root":".data.items[0] | {name}"}`, doc, "name:string\n\"a\""},
		{"no output, no rows", `{"rootSyntax":"jq","root":"empty"}`, doc, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustRun(t, c.pipeline, c.body, Limits{})
			if got := frameText(t, res); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestJQRootErrors(t *testing.T) {
	for _, c := range []struct{ name, pipeline, body, code, path, msg string }{
		{"syntax", `{"rootSyntax":"jq","root":".data |"}`, `{}`, CodeInvalidPipeline, "root", "jq:"},
		{"non-object row", `{"rootSyntax":"jq","root":".data.n"}`, `{"data":{"n":1}}`, CodeInvalidPipeline, "root", "jq yielded a number where a row (an object) is expected"},
		{"string row", `{"rootSyntax":"jq","root":".a[]"}`, `{"a":["x"]}`, CodeInvalidPipeline, "root", "a string"},
		{"io refused", `{"rootSyntax":"jq","root":"$ENV"}`, `{}`, CodeInvalidPipeline, "root", "not supported"},
		{"input refused", `{"rootSyntax":"jq","root":"input"}`, `{}`, CodeInvalidPipeline, "root", "not supported"},
		{"only json", `{"format":"csv","rootSyntax":"jq","root":"."}`, `a`, CodeInvalidPipeline, "rootSyntax", "only with format json or auto"},
		{"unknown syntax", `{"rootSyntax":"xpath","root":"."}`, `{}`, CodeInvalidPipeline, "rootSyntax", "gjson or jq"},
		{"required", `{"rootSyntax":"jq"}`, `{}`, CodeInvalidPipeline, "root", "required"},
		{"invalid json", `{"rootSyntax":"jq","root":"."}`, `{"a":`, CodeInvalidInput, "", "invalid JSON"},
		{"rows limit", `{"rootSyntax":"jq","root":"range(20) | {i: .}"}`, `{}`, CodeTooManyRows, "", "limit is 10"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(c.pipeline, Input{Body: []byte(c.body)}, Limits{MaxRows: 10})
			te := wantCode(t, err, c.code)
			if te.Path != c.path || !strings.Contains(te.Message, c.msg) {
				t.Fatalf("got %q %q", te.Path, te.Message)
			}
		})
	}
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := runCtx(ctx, `{"rootSyntax":"jq","root":"last(range(1e12)) | {x: .}"}`, Input{Body: []byte(`{}`)}, Limits{})
		te := wantCode(t, err, CodeTimeout)
		if te.Path != "root" {
			t.Fatalf("%q %q", te.Path, te.Message)
		}
	})
}

func TestSchemaJQRoot(t *testing.T) {
	fields, err := InferSchema(context.Background(), Input{Body: []byte(`{"a":[{"x":{"y":1}},{"x":{"y":2}}]}`)}, &Pipeline{RootSyntax: "jq", Root: ".a[]"}, 10)
	if err != nil || len(fields) != 1 || fields[0].Path != "x.y" || fields[0].Type != "number" {
		t.Fatalf("%+v %v", fields, err)
	}
}

func TestJQSyntaxErrorsHaveLineAndColumn(t *testing.T) {
	for _, c := range []struct{ pipeline, path, msg string }{
		{`{"steps":[{"type":"jq","expr":"map(.a\n | .b | )"}]}`, "steps[0].expr", `jq: line 2, column 9: unexpected token ")"`},
		{`{"rootSyntax":"jq","root":".[] | {a: }"}`, "root", `jq: line 1, column 11: unexpected token "}"`},
	} {
		_, err := ParsePipeline([]byte(c.pipeline))
		te := wantCode(t, err, CodeInvalidPipeline)
		if te.Path != c.path || te.Message != c.msg {
			t.Errorf("got %q %q, want %q %q", te.Path, te.Message, c.path, c.msg)
		}
	}
}
