package transform

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// queryFrame runs pipeline over body: another query's result, as the runner
// hands it to a join.
func queryFrame(t *testing.T, pipeline, body string) *data.Frame {
	t.Helper()
	return mustRun(t, pipeline, body, Limits{}).Frames[0]
}

// rowsOf renders a frame's rows as maps of their values (nil for null).
func rowsOf(t *testing.T, f *data.Frame) []map[string]any {
	t.Helper()
	out := make([]map[string]any, f.Rows())
	for i := range out {
		out[i] = map[string]any{}
		for _, fl := range f.Fields {
			v, ok := fl.ConcreteAt(i)
			if !ok {
				v = nil
			}
			if raw, isRaw := v.(json.RawMessage); isRaw {
				v = string(raw)
			}
			out[i][fl.Name] = v
		}
	}
	return out
}

func fieldNames(f *data.Frame) []string {
	var out []string
	for _, fl := range f.Fields {
		out = append(out, fl.Name)
	}
	return out
}

const (
	hostsBody   = `[{"host":"a","dc":"eu"},{"host":"b","dc":"us"},{"host":null,"dc":"xx"},{"host":"c","dc":"ap"}]`
	metricsBody = `[{"host":"b","cpu":2},{"host":"a","cpu":1},{"host":"a","cpu":3},{"host":"z","cpu":9},{"host":null,"cpu":7}]`
)

func joinOf(t *testing.T, how string) *data.Frame {
	t.Helper()
	metrics := queryFrame(t, `{}`, metricsBody)
	p := `{"steps":[{"type":"join","query":"B","on":["host"],"how":"` + how + `"}]}`
	res, err := run(p, Input{Body: []byte(hostsBody), Queries: map[string]*data.Frame{"B": metrics}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Frames[0]
}

func TestJoinKinds(t *testing.T) {
	cases := map[string][]map[string]any{
		// Left order; duplicates on the right give one row each, in their order; null keys match nothing.
		"inner": {
			{"host": "a", "dc": "eu", "cpu": 1.0},
			{"host": "a", "dc": "eu", "cpu": 3.0},
			{"host": "b", "dc": "us", "cpu": 2.0},
		},
		"left": {
			{"host": "a", "dc": "eu", "cpu": 1.0},
			{"host": "a", "dc": "eu", "cpu": 3.0},
			{"host": "b", "dc": "us", "cpu": 2.0},
			{"host": nil, "dc": "xx", "cpu": nil},
			{"host": "c", "dc": "ap", "cpu": nil},
		},
		"outer": {
			{"host": "a", "dc": "eu", "cpu": 1.0},
			{"host": "a", "dc": "eu", "cpu": 3.0},
			{"host": "b", "dc": "us", "cpu": 2.0},
			{"host": nil, "dc": "xx", "cpu": nil},
			{"host": "c", "dc": "ap", "cpu": nil},
			{"host": "z", "dc": nil, "cpu": 9.0}, // unmatched right rows last, key from the right
			{"host": nil, "dc": nil, "cpu": 7.0},
		},
	}
	for how, want := range cases {
		t.Run(how, func(t *testing.T) {
			f := joinOf(t, how)
			if got := fieldNames(f); !reflect.DeepEqual(got, []string{"host", "dc", "cpu"}) {
				t.Fatalf("fields %v", got)
			}
			if got := rowsOf(t, f); !reflect.DeepEqual(got, want) {
				t.Fatalf("rows:\n got %v\nwant %v", got, want)
			}
		})
	}
	if f := joinOf(t, ""); f.Rows() != 3 {
		t.Fatalf("the default is inner: %d rows", f.Rows())
	}
}

func TestJoinKeysByValueAcrossTypes(t *testing.T) {
	// The right side's id is an int64 and a string; the left's a number.
	right := queryFrame(t, `{"columns":[{"name":"id","type":"int64"},{"name":"name","type":"string"}]}`,
		`[{"id":42,"name":"x"},{"id":7,"name":"y"}]`)
	res, err := run(`{"steps":[{"type":"join","query":"B","on":["id"]}]}`,
		Input{Body: []byte(`[{"id":42.0,"v":1},{"id":7.5,"v":2}]`), Queries: map[string]*data.Frame{"B": right}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// number vs int64: both numeric, but of different types: the key is their text.
	if got := rowsOf(t, res.Frames[0]); !reflect.DeepEqual(got, []map[string]any{{"id": "42", "v": 1.0, "name": "x"}}) {
		t.Fatalf("rows %v", got)
	}
	strRight := queryFrame(t, `{}`, `[{"id":"42","name":"s"}]`)
	res, err = run(`{"steps":[{"type":"join","query":"B","on":["id"],"how":"left"}]}`,
		Input{Body: []byte(`[{"id":42},{"id":1}]`), Queries: map[string]*data.Frame{"B": strRight}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"id": "42", "name": "s"}, {"id": "1", "name": nil}}
	if got := rowsOf(t, res.Frames[0]); !reflect.DeepEqual(got, want) {
		t.Fatalf("number vs string: %v", got)
	}
}

func TestJoinTypeMismatch(t *testing.T) {
	right := queryFrame(t, `{}`, `[{"id":true}]`)
	_, err := run(`{"steps":[{"type":"join","query":"B","on":["id"]}]}`,
		Input{Body: []byte(`[{"id":1}]`), Queries: map[string]*data.Frame{"B": right}}, Limits{})
	te := AsError(err)
	if te.Code != CodeInvalidPipeline || te.Path != "steps[0].on[0]" || !strings.Contains(te.Message, `"id" is a number field here and a boolean field in query "B"`) {
		t.Fatalf("got %+v", te)
	}
}

func TestJoinNameClashAndMultipleKeys(t *testing.T) {
	right := queryFrame(t, `{}`, `[{"host":"a","dc":"eu","cpu":5,"cpu_B":0},{"host":"a","dc":"us","cpu":6,"cpu_B":1}]`)
	res, err := run(`{"steps":[{"type":"join","query":"B","on":["host","dc"]},{"type":"filter","expr":"cpu_B_2 >= 0"}]}`,
		Input{Body: []byte(`[{"host":"a","dc":"us","cpu":1,"cpu_B":9}]`), Queries: map[string]*data.Frame{"B": right}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Frames[0]
	if got := fieldNames(f); !reflect.DeepEqual(got, []string{"host", "dc", "cpu", "cpu_B", "cpu_B_2", "cpu_B_B"}) {
		t.Fatalf("fields %v", got)
	}
	want := []map[string]any{{"host": "a", "dc": "us", "cpu": 1.0, "cpu_B": 9.0, "cpu_B_2": 6.0, "cpu_B_B": 1.0}}
	if got := rowsOf(t, f); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v", got)
	}
}

func TestJoinErrors(t *testing.T) {
	right := queryFrame(t, `{}`, `[{"k":1}]`)
	queries := map[string]*data.Frame{"B": right}
	for name, c := range map[string]struct{ pipeline, path, msg string }{
		"missing input": {`{"steps":[{"type":"join","query":"C","on":["k"]}]}`, "steps[0].query", `query "C" is not an input of this run (inputs: B)`},
		"no key here":   {`{"steps":[{"type":"join","query":"B","on":["x"]}]}`, "steps[0].on[0]", `unknown field "x"`},
		"no key there":  {`{"steps":[{"type":"join","query":"B","on":["v"]}]}`, "steps[0].on[0]", `query "B": unknown field "v"`},
		"bad how":       {`{"steps":[{"type":"join","query":"B","on":["k"],"how":"cross"}]}`, "steps[0].how", `"cross" is not one of inner, left, outer`},
		"no keys":       {`{"steps":[{"type":"join","query":"B","on":[]}]}`, "steps[0].on", "required"},
		"twice":         {`{"steps":[{"type":"join","query":"B","on":["k","k"]}]}`, "steps[0].on[1]", "listed twice"},
		"no query":      {`{"steps":[{"type":"append"}]}`, "steps[0].query", "required"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := run(c.pipeline, Input{Body: []byte(`[{"k":1,"v":2}]`), Queries: queries}, Limits{})
			te := AsError(err)
			if te.Code != CodeInvalidPipeline || te.Path != c.path || !strings.Contains(te.Message, c.msg) {
				t.Fatalf("got %+v", te)
			}
		})
	}
}

func TestJoinLimits(t *testing.T) {
	// 3 × 3 rows of one key: 9 output rows, above MaxRows 5.
	body := `[{"k":1},{"k":1},{"k":1}]`
	right := queryFrame(t, `{}`, body)
	_, err := run(`{"steps":[{"type":"join","query":"B","on":["k"]}]}`,
		Input{Body: []byte(body), Queries: map[string]*data.Frame{"B": right}}, Limits{MaxRows: 5})
	if te := AsError(err); te.Code != CodeTooManyRows {
		t.Fatalf("got %+v", te)
	}
	// The join's table is charged to the budget.
	b := &countingBudget{max: 1 << 20}
	_, err = run(`{"steps":[{"type":"join","query":"B","on":["k"]}]}`,
		Input{Body: []byte(body), Queries: map[string]*data.Frame{"B": right}}, Limits{Memory: b})
	if err != nil || b.taken == 0 {
		t.Fatalf("err %v, charged %d", err, b.taken)
	}
	_, err = run(`{"steps":[{"type":"join","query":"B","on":["k"]}]}`,
		Input{Body: []byte(body), Queries: map[string]*data.Frame{"B": right}}, Limits{Memory: &countingBudget{max: 1}})
	if te := AsError(err); te.Code != CodeMemoryBudget {
		t.Fatalf("got %+v", te)
	}
}

func TestJoinThenStepsSeeTheOtherFields(t *testing.T) {
	metrics := queryFrame(t, `{}`, metricsBody)
	res, err := run(`{"steps":[{"type":"join","query":"B","on":["host"]},{"type":"compute","name":"x","expr":"cpu * 10"},{"type":"select","fields":["dc","x"]}]}`,
		Input{Body: []byte(hostsBody), Queries: map[string]*data.Frame{"B": metrics}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"dc": "eu", "x": 10.0}, {"dc": "eu", "x": 30.0}, {"dc": "us", "x": 20.0}}
	if got := rowsOf(t, res.Frames[0]); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v", got)
	}
}

func TestAppend(t *testing.T) {
	other := queryFrame(t, `{"columns":[{"name":"n","type":"int64"},{"name":"t","type":"time"},{"name":"extra"}]}`,
		`[{"n":5,"t":"2024-01-02T03:04:05Z","extra":"e"}]`)
	res, err := run(`{"steps":[{"type":"append","query":"B"}]}`,
		Input{Body: []byte(`[{"n":1.5,"t":"label"}]`), Queries: map[string]*data.Frame{"B": other}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Frames[0]
	if got := fieldNames(f); !reflect.DeepEqual(got, []string{"n", "t", "extra"}) {
		t.Fatalf("fields %v", got)
	}
	// n: number + int64 → number; t: string + time → string (RFC 3339).
	want := []map[string]any{
		{"n": 1.5, "t": "label", "extra": nil},
		{"n": 5.0, "t": "2024-01-02T03:04:05Z", "extra": "e"},
	}
	if got := rowsOf(t, f); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %v", got)
	}
	if _, err := run(`{"steps":[{"type":"append","query":"B"}]}`,
		Input{Body: []byte(`[{"n":1}]`), Queries: map[string]*data.Frame{"B": other}}, Limits{MaxRows: 1}); AsError(err).Code != CodeTooManyRows {
		t.Fatalf("got %v", err)
	}
}

func TestQueryDependencies(t *testing.T) {
	p, err := ParsePipeline([]byte(`{"steps":[{"type":"join","query":"B","on":["k"]},{"type":"filter","expr":"true"},{"type":"append","query":"C"},{"type":"append","query":"B"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := QueryDependencies(p); !reflect.DeepEqual(got, []string{"B", "C"}) {
		t.Fatalf("got %v", got)
	}
	if got := QueryDependencies(&Pipeline{}); got != nil {
		t.Fatalf("got %v", got)
	}
}
