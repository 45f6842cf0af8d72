package transform

import (
	"reflect"
	"testing"
)

func TestInferSchemaJSON(t *testing.T) {
	body := `{"data":[
	  {"id":1,"host":{"name":"web-1","dc":{"region":"eu"}},"tags":["a"],"a.b":true,"created_at":"2024-05-01 10:00:00","empty":{}},
	  {"id":2,"host":{"name":"web-2"},"tags":[],"a.b":false,"created_at":"2024-05-02 10:00:00","extra":null,"empty":{}},
	  {"id":"x"}
	]}`
	got, err := InferSchema(t.Context(), Input{Body: []byte(body)}, &Pipeline{Root: "data"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldInfo{
		{Path: "id", Type: "number"}, // the third row (a string) is beyond the sample
		{Path: "host.name", Type: "string"},
		{Path: "host.dc.region", Type: "string", Nullable: true},
		{Path: "tags", Type: "json"},
		{Path: `a\.b`, Type: "boolean"},
		{Path: "created_at", Type: "time"},
		{Path: "empty", Type: "json"},
		{Path: "extra", Type: "string", Nullable: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// The paths work as selectors.
	res := mustRun(t, `{"root":"data","columns":[{"name":"r","selector":"host.dc.region"},{"name":"ab","selector":"a\\.b"}]}`, body, Limits{})
	if s, _ := res.Frames[0].Fields[0].ConcreteAt(0); s != "eu" {
		t.Fatalf("host.dc.region = %v", s)
	}
	if b, _ := res.Frames[0].Fields[1].ConcreteAt(1); b != false {
		t.Fatalf("a.b = %v", b)
	}

	// All rows: id mixes numbers and strings.
	got, err = InferSchema(t.Context(), Input{Body: []byte(body)}, &Pipeline{Root: "data"}, 0)
	if err != nil || got[0].Type != "string" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestInferSchemaOtherFormats(t *testing.T) {
	got, err := InferSchema(t.Context(), Input{Body: []byte("a,b,when\n1,x,2024-05-01T10:00:00Z\n2,,2024-05-01T10:00:00Z\nlots,of,rows\n")}, &Pipeline{Format: FormatCSV}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldInfo{{Path: "a", Type: "number"}, {Path: "b", Type: "string", Nullable: true}, {Path: "when", Type: "time"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("csv: got %+v", got)
	}
	got, err = InferSchema(t.Context(), Input{Body: []byte("{\"a\":1}\n{\"b\":[1]}\n"), ContentType: "application/x-ndjson"}, &Pipeline{Format: FormatAuto}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want = []FieldInfo{{Path: "a", Type: "number", Nullable: true}, {Path: "b", Type: "json", Nullable: true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ndjson: got %+v", got)
	}
	got, err = InferSchema(t.Context(), Input{Body: []byte(`[1,2]`)}, nil, 10)
	if err != nil || !reflect.DeepEqual(got, []FieldInfo{{Path: "@this", Type: "number"}}) {
		t.Fatalf("scalars: got %+v %v", got, err)
	}
	if _, err := InferSchema(t.Context(), Input{Body: []byte(`[1,`)}, nil, 10); err == nil {
		t.Fatal("invalid JSON accepted")
	}
	if _, err := InferSchema(t.Context(), Input{Body: []byte(`[]`)}, &Pipeline{Format: "xml"}, 10); err == nil {
		t.Fatal("invalid pipeline accepted")
	}
}
