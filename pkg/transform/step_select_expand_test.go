package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

// frameJSON renders a result's frame as {name: [values…]} for comparisons.
func frameJSON(t *testing.T, res *Result) string {
	t.Helper()
	f := res.Frames[0]
	var parts []string
	for _, fd := range f.Fields {
		vals := make([]any, fd.Len())
		for i := range vals {
			if v, ok := fd.ConcreteAt(i); ok {
				vals[i] = v
			}
		}
		b, _ := json.Marshal(vals)
		parts = append(parts, fd.Name+"="+string(b))
	}
	return strings.Join(parts, " ")
}

func TestSelectStep(t *testing.T) {
	body := `[{"a":1,"b":"x","c":true},{"a":2,"b":"y","c":false}]`
	for pipeline, want := range map[string]string{
		`{"steps":[{"type":"select","fields":["c","a"]}]}`:                                           `c=[true,false] a=[1,2]`,
		`{"steps":[{"type":"select","drop":["b","nope"]}]}`:                                          `a=[1,2] c=[true,false]`,
		`{"steps":[{"type":"compute","name":"d","expr":"a * 10"},{"type":"select","fields":["d"]}]}`: `d=[10,20]`,
		// after jq the schema is known at run time only
		`{"steps":[{"type":"jq","expr":"map({z: .a})"},{"type":"select","fields":["z"]}]}`: `z=[1,2]`,
	} {
		if got := frameJSON(t, mustRun(t, pipeline, body, Limits{})); got != want {
			t.Errorf("%s: %s, want %s", pipeline, got, want)
		}
	}
	for pipeline, want := range map[string]string{
		`{"steps":[{"type":"select"}]}`:                                                         "steps[0].fields: required",
		`{"steps":[{"type":"select","fields":["a"],"drop":["b"]}]}`:                             "steps[0].drop: use either",
		`{"steps":[{"type":"select","fields":["a","a"]}]}`:                                      "steps[0].fields[1]: \"a\" is listed twice",
		`{"columns":[{"name":"a","type":"number"}],"steps":[{"type":"select","fields":["b"]}]}`: `steps[0].fields[0]: unknown field "b"`,
		`{"steps":[{"type":"select","fields":[1]}]}`:                                            "steps[0].fields[0]: must be a string",
	} {
		_, err := run(pipeline, Input{Body: []byte(body)}, Limits{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", pipeline, err, want)
		}
	}
}

func TestExpandStep(t *testing.T) {
	// UQL's documented mv-expand example (Infinity docs, query/uql.md).
	body := `[{"group":"A","users":["user a1","user a2"]},{"group":"B","users":["user b1"]},{"group":"C","users":[]},{"group":"D","users":null}]`
	res := mustRun(t, `{"steps":[{"type":"expand","field":"users","as":"user"}]}`, body, Limits{})
	if got, want := frameJSON(t, res), `group=["A","A","B","D"] user=["user a1","user a2","user b1",null]`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	// Objects stay JSON, usable in expressions; numbers are numbers; the steps after are checked then.
	body = `[{"h":"a","disks":[{"size":10},{"size":20}],"n":[1,2]}]`
	res = mustRun(t, `{"steps":[{"type":"expand","field":"disks"},{"type":"compute","name":"s","expr":"disks.size * 2"},{"type":"expand","field":"n"},{"type":"select","fields":["h","s","n"]}]}`, body, Limits{})
	if got, want := frameJSON(t, res), `h=["a","a","a","a"] s=[20,20,40,40] n=[1,2,1,2]`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	for pipeline, want := range map[string]string{
		`{"steps":[{"type":"expand"}]}`: "steps[0].field: required",
		`{"columns":[{"name":"h","type":"string"}],"steps":[{"type":"expand","field":"h"}]}`:                             "not an array",
		`{"columns":[{"name":"h"},{"name":"disks","type":"json"}],"steps":[{"type":"expand","field":"disks","as":"h"}]}`: `steps[0].as: a field named "h" already exists`,
		`{"steps":[{"type":"expand","field":"disks"},{"type":"filter","expr":"nope > 1"}]}`:                              "unknown name",
	} {
		_, err := run(pipeline, Input{Body: []byte(body)}, Limits{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", pipeline, err, want)
		}
	}
	// Bounded by MaxRows.
	if _, err := run(`{"steps":[{"type":"expand","field":"n"}]}`, Input{Body: []byte(`[{"n":[1,2,3]},{"n":[4,5,6]}]`)}, Limits{MaxRows: 4}); err == nil || !strings.Contains(err.Error(), "4") {
		t.Errorf("max rows: %v", err)
	}
}

func TestGroupByDistinct(t *testing.T) {
	body := `[{"c":"us","city":"ny"},{"c":"us","city":"la"},{"c":"us","city":"ny"},{"c":"in","city":"mumbai"},{"c":"in","city":null}]`
	res := mustRun(t, `{"steps":[{"type":"groupBy","by":["c"],"aggregates":[{"op":"distinct","field":"city","as":"cities"},{"op":"count"}]}]}`, body, Limits{})
	if got, want := frameJSON(t, res), `c=["us","in"] cities=[2,1] count=[3,2]`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	if _, err := run(`{"steps":[{"type":"groupBy","aggregates":[{"op":"distinct"}]}]}`, Input{Body: []byte(body)}, Limits{}); err == nil || !strings.Contains(err.Error(), "required for distinct") {
		t.Errorf("%v", err)
	}
}
