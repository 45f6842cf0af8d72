package transform

import (
	"errors"
	"testing"
)

// TestParsePipelineErrors: each faulty pipeline is rejected with the path of
// the faulty field and a message that says what is wrong.
func TestParsePipelineErrors(t *testing.T) {
	cols := `"columns":[{"name":"price","type":"number"},{"name":"qty","type":"number"},{"name":"name","type":"string"},{"name":"time","type":"time"}]`
	cases := []struct {
		name, pipeline, path, message string
	}{
		// decoding
		{"not json", `{`, "", "invalid JSON: unexpected EOF"},
		{"not an object", `[1]`, "", "invalid JSON: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{"null", `null`, "", "pipeline must be a JSON object"},
		{"trailing data", `{} {}`, "", "unexpected data after the JSON object"},
		{"unknown top-level field", `{"fromat":"csv"}`, "fromat", "unknown field (allowed: name, format, root, rootSyntax, csv, columns, steps, shape)"},
		{"wrong JSON type", `{"root":1}`, "root", "must be a string"},
		{"columns not array", `{"columns":{}}`, "columns", "must be an array"},
		{"unknown column field", `{"columns":[{"name":"a","typ":"number"}]}`, "columns[0].typ", "unknown field (allowed: name, selector, type, timeFormat, default, enum, timezone)"},
		{"step without type", `{"steps":[{"expr":"a"}]}`, "steps[0].type", "required (one of filter, compute, rename, select, sort, limit, groupBy, expand, jq, join, append)"},
		{"unknown step type", `{"steps":[{"type":"map"}]}`, "steps[0].type", `unknown step type "map" (one of filter, compute, rename, select, sort, limit, groupBy, expand, jq, join, append)`},
		{"field of another step type", `{"steps":[{"type":"filter","expr":"true","count":3}]}`, "steps[0].count", "unknown field (allowed: type, expr)"},
		{"count not integer", `{"steps":[{"type":"limit","count":1.5}]}`, "steps[0].count", "must be an integer"},
		{"sort key not string or object", `{"steps":[{"type":"sort","by":[1]}]}`, "steps[0].by[0]", `must be a field name or {"field":..., "desc":...}`},
		{"sort key unknown field", `{"steps":[{"type":"sort","by":[{"field":"a","dir":"asc"}]}]}`, "steps[0].by[0].dir", "unknown field (allowed: field, desc)"},
		{"aggregate unknown field", `{"steps":[{"type":"groupBy","aggregates":[{"op":"sum","field":"a","name":"s"}]}]}`, "steps[0].aggregates[0].name", "unknown field (allowed: op, field, as)"},
		{"csv header not bool", `{"format":"csv","csv":{"header":"yes"}}`, "csv.header", "must be true or false"},

		// structure
		{"unknown format", `{"format":"yaml"}`, "format", `unknown format "yaml" (one of json, ndjson, csv, xml, html, auto)`},
		{"unknown shape", `{"shape":"graph"}`, "shape", `unknown shape "graph" (one of table, timeseries-long, timeseries-wide)`},
		{"csv options for json", `{"csv":{"delimiter":";"}}`, "csv", `only allowed with format "csv" or "auto"`},
		{"csv delimiter too long", `{"format":"csv","csv":{"delimiter":";;"}}`, "csv.delimiter", "must be a single character"},
		{"csv delimiter quote", `{"format":"csv","csv":{"delimiter":"\""}}`, "csv.delimiter", "cannot be a quote or line break"},
		{"csv comment equals delimiter", `{"format":"csv","csv":{"delimiter":"#","comment":"#"}}`, "csv.comment", "must differ from the delimiter"},
		{"root with csv", `{"format":"csv","root":"a"}`, "root", `not used by format "csv"`},
		{"column without name", `{"columns":[{"type":"number"}]}`, "columns[0].name", "required"},
		{"duplicate column", `{"columns":[{"name":"a"},{"name":"b"},{"name":"a"}]}`, "columns[2].name", `duplicate column name "a" (also columns[0])`},
		{"unknown column type", `{"columns":[{"name":"a","type":"int"}]}`, "columns[0].type", `unknown type "int" (one of string, number, boolean, time, json, int64, uint64, duration, enum)`},
		{"time format on number", `{"columns":[{"name":"a","type":"number","timeFormat":"unix_s"}]}`, "columns[0].timeFormat", `only allowed for type "time"`},
		{"bad time layout", `{"columns":[{"name":"a","type":"time","timeFormat":"YYYY-MM-DD"}]}`, "columns[0].timeFormat", `unknown time format "YYYY-MM-DD" (rfc3339, unix_s, unix_ms, unix_us, unix_ns or a Go layout like "2006-01-02 15:04:05")`},
		{"default of wrong type", `{"columns":[{"name":"a","type":"number","default":"many"}]}`, "columns[0].default", "not a valid number value"},
		{"default without type", `{"columns":[{"name":"a","default":1}]}`, "columns[0].default", "requires an explicit type"},
		{"filter without expr", `{"steps":[{"type":"filter"}]}`, "steps[0].expr", "required"},
		{"compute without name", `{"steps":[{"type":"compute","expr":"1"}]}`, "steps[0].name", "required"},
		{"rename without from", `{"steps":[{"type":"rename","to":"b"}]}`, "steps[0].from", "required (or use map)"},
		{"rename both forms", `{"steps":[{"type":"rename","from":"a","to":"b","map":{"c":"d"}}]}`, "steps[0].map", "use either map or from/to, not both"},
		{"rename map collision", `{"steps":[{"type":"rename","map":{"a":"x","b":"x"}}]}`, "steps[0].map.b", `"a" and "b" are both renamed to "x"`},
		{"sort without keys", `{"steps":[{"type":"sort"}]}`, "steps[0].by", "at least one field required"},
		{"limit zero", `{"steps":[{"type":"limit","count":0}]}`, "steps[0].count", "must be at least 1"},
		{"limit negative offset", `{"steps":[{"type":"limit","count":1,"offset":-1}]}`, "steps[0].offset", "must not be negative"},
		{"empty groupBy", `{"steps":[{"type":"groupBy"}]}`, "steps[0]", "needs by, timeBucket or aggregates"},
		{"groupBy desc", `{"steps":[{"type":"groupBy","by":[{"field":"a","desc":true}]}]}`, "steps[0].by[0].desc", "not allowed in groupBy"},
		{"bad interval", `{"steps":[{"type":"groupBy","timeBucket":{"field":"t","interval":"5 minutes"}}]}`, "steps[0].timeBucket.interval", `invalid interval "5 minutes" (e.g. 30s, 5m, 1h, 1d, 1w)`},
		{"tiny interval", `{"steps":[{"type":"groupBy","timeBucket":{"field":"t","interval":"1us"}}]}`, "steps[0].timeBucket.interval", `interval "1us" must be at least 1ms`},
		{"unknown aggregate", `{"steps":[{"type":"groupBy","aggregates":[{"op":"median","field":"a"}]}]}`, "steps[0].aggregates[0].op", `unknown op "median" (one of count, sum, avg, min, max, first, last, distinct)`},
		{"aggregate without field", `{"steps":[{"type":"groupBy","aggregates":[{"op":"sum"}]}]}`, "steps[0].aggregates[0].field", "required for sum"},
		{"expr syntax error, inferred columns", `{"steps":[{"type":"filter","expr":"price >"}]}`, "steps[0].expr", "unexpected token EOF (at character 7)"},

		// against explicit columns
		{"unknown name in expr", `{` + cols + `,"steps":[{"type":"filter","expr":"qty > 1"},{"type":"compute","name":"t","expr":"price * qty"},{"type":"filter","expr":"prce > 10"}]}`, "steps[2].expr", `unknown name "prce" (did you mean "price"?)`},
		{"unknown name without suggestion", `{` + cols + `,"steps":[{"type":"filter","expr":"zzzzzz > 10"}]}`, "steps[0].expr", `unknown name "zzzzzz"`},
		{"expr type error", `{` + cols + `,"steps":[{"type":"compute","name":"x","expr":"name * 2"}]}`, "steps[0].expr", "invalid operation: * (mismatched types string and int) (at character 6)"},
		{"filter not boolean", `{` + cols + `,"steps":[{"type":"filter","expr":"price * 2"}]}`, "steps[0].expr", "expected bool, but got float64"},
		{"disabled builtin", `{` + cols + `,"steps":[{"type":"compute","name":"x","expr":"repeat(name, 1000000)"}]}`, "steps[0].expr", `unknown name "repeat"`},
		{"computed column visible later", `{` + cols + `,"steps":[{"type":"compute","name":"total","expr":"price * qty"},{"type":"sort","by":["totl"]}]}`, "steps[1].by[0].field", `unknown field "totl" (did you mean "total"?)`},
		{"renamed column gone", `{` + cols + `,"steps":[{"type":"rename","from":"price","to":"cost"},{"type":"filter","expr":"price > 1"}]}`, "steps[1].expr", `unknown name "price"`},
		{"rename unknown", `{` + cols + `,"steps":[{"type":"rename","from":"nme","to":"n"}]}`, "steps[0].from", `unknown field "nme" (did you mean "name"?)`},
		{"rename onto existing", `{` + cols + `,"steps":[{"type":"rename","from":"price","to":"qty"}]}`, "steps[0].to", `a field named "qty" already exists`},
		{"group by unknown", `{` + cols + `,"steps":[{"type":"groupBy","by":["host"]}]}`, "steps[0].by[0]", `unknown field "host" (fields: price, qty, name, time)`},
		{"bucket on non-time", `{` + cols + `,"steps":[{"type":"groupBy","timeBucket":{"field":"price","interval":"1m"}}]}`, "steps[0].timeBucket.field", `"price" is a number field, not a time field`},
		{"sum of strings", `{` + cols + `,"steps":[{"type":"groupBy","aggregates":[{"op":"sum","field":"name"}]}]}`, "steps[0].aggregates[0].field", `sum needs a number field; "name" is string`},
		{"duplicate aggregate name", `{` + cols + `,"steps":[{"type":"groupBy","aggregates":[{"op":"avg","field":"price","as":"x"},{"op":"max","field":"qty","as":"x"}]}]}`, "steps[0].aggregates[1].as", `a field named "x" already exists in the output; set a different "as"`},
		{"after groupBy only its fields", `{` + cols + `,"steps":[{"type":"groupBy","by":["name"],"aggregates":[{"op":"avg","field":"price"}]},{"type":"filter","expr":"qty > 1"}]}`, "steps[1].expr", `unknown name "qty"`},
		{"timeseries without time", `{"columns":[{"name":"a","type":"number"}],"shape":"timeseries-wide"}`, "shape", "timeseries-wide needs a time field; fields: a (number)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePipeline([]byte(c.pipeline))
			if err == nil {
				t.Fatal("no error")
			}
			var te *Error
			if !errors.As(err, &te) || te.Code != CodeInvalidPipeline {
				t.Fatalf("error %v is not an *Error with code invalid_pipeline", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v does not wrap a *ValidationError", err)
			}
			if ve.Path != c.path || ve.Message != c.message {
				t.Errorf("got  %q: %q\nwant %q: %q", ve.Path, ve.Message, c.path, c.message)
			}
			if te.Path != ve.Path || te.Message != ve.Message {
				t.Errorf("*Error %q/%q differs from *ValidationError %q/%q", te.Path, te.Message, ve.Path, ve.Message)
			}
		})
	}
}

// TestValidPipelines: the documented forms are accepted and survive a
// marshal/parse round trip unchanged.
func TestValidPipelines(t *testing.T) {
	for _, src := range []string{
		`{}`,
		`{"name":"n","format":"ndjson","root":"data.items","shape":"timeseries-long","columns":[{"name":"t","type":"time"},{"name":"v","selector":"value.0","type":"number","default":0}]}`,
		`{"format":"csv","csv":{"delimiter":"\t","header":false,"comment":"#"}}`,
		`{"format":"auto","csv":{"delimiter":";"}}`,
		`{"columns":[{"name":"t","timeFormat":"2006-01-02"}]}`,
		`{"steps":[{"type":"filter","expr":"a > 1"},{"type":"compute","name":"b","expr":"a * 2"},{"type":"rename","from":"b","to":"c"},{"type":"rename","map":{"a":"x","c":"a"}},{"type":"sort","by":["x",{"field":"a","desc":true}]},{"type":"limit","count":10,"offset":5}]}`,
		`{"steps":[{"type":"groupBy","by":["host"],"timeBucket":{"field":"time","interval":"1d"},"aggregates":[{"op":"count"},{"op":"last","field":"v","as":"v"}]}]}`,
	} {
		p, err := ParsePipeline([]byte(src))
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		pr, err := Compile(p)
		if err != nil {
			t.Errorf("%s: compile: %v", src, err)
			continue
		}
		again, err := ParsePipeline([]byte(pr.executed))
		if err != nil {
			t.Errorf("%s: round trip: %v", src, err)
			continue
		}
		if pr2, _ := Compile(again); pr2 == nil || pr2.executed != pr.executed {
			t.Errorf("round trip changed the pipeline: %s", pr.executed)
		}
	}
}

// TestUnmarshalJSONStrict: a Pipeline embedded in a query model is decoded
// strictly through encoding/json too.
func TestUnmarshalJSONStrict(t *testing.T) {
	var q struct {
		Pipeline Pipeline `json:"pipeline"`
	}
	err := jsonUnmarshal(`{"pipeline":{"steps":[{"type":"filter","expr":"a","nme":1}]}}`, &q)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Path != "steps[0].nme" {
		t.Fatalf("got %v", err)
	}
	if err := jsonUnmarshal(`{"pipeline":{"root":"a","steps":[{"type":"limit","count":2}]}}`, &q); err != nil {
		t.Fatal(err)
	}
	if q.Pipeline.Root != "a" || q.Pipeline.Steps[0].(*LimitStep).Count != 2 {
		t.Fatalf("decoded %+v", q.Pipeline)
	}
}
