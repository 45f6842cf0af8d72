package transform

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func TestFrameMeta(t *testing.T) {
	p := `{"name":"orders","steps":[{"type":"filter","expr":"price > 10"}]}`
	res := mustRun(t, p, `[{"price":5},{"price":20}]`, Limits{})
	f := res.Frames[0]
	if f.Name != "orders" || res.Rows != 1 {
		t.Fatalf("name %q rows %d", f.Name, res.Rows)
	}
	if f.Meta.ExecutedQueryString != p {
		t.Fatalf("executed %q", f.Meta.ExecutedQueryString)
	}
	if res := mustRun(t, `{}`, `[]`, Limits{}); res.Frames[0].Name != "result" {
		t.Fatal("default name")
	}
}

func TestExpressionErrorsAreNotices(t *testing.T) {
	// int("abc") fails for a reason other than a null input: counted in a
	// notice; the row gets null (compute) or is dropped (filter).
	res := mustRun(t, `{"steps":[{"type":"compute","name":"n","expr":"int(s)"},{"type":"filter","expr":"int(s) > 0"}]}`,
		`[{"s":"1"},{"s":"abc"},{"s":null},{"s":"2"}]`, Limits{})
	f := res.Frames[0]
	if res.Rows != 2 {
		t.Fatalf("rows %d", res.Rows)
	}
	var texts []string
	for _, n := range res.Notices {
		texts = append(texts, n.Text)
		if n.Severity != data.NoticeSeverityWarning {
			t.Errorf("severity %v", n.Severity)
		}
	}
	joined := strings.Join(texts, "\n")
	if !strings.Contains(joined, "steps[0]: the expression failed on 1 row") || !strings.Contains(joined, "steps[1]: the expression failed on 1 row") {
		t.Fatalf("notices: %s", joined)
	}
	if v, _ := f.Fields[1].ConcreteAt(1); v != 2.0 {
		t.Fatalf("n = %v", v)
	}
}

func TestComputeDynamicTypeMismatch(t *testing.T) {
	// The type follows the first result; later results of another type are nulls.
	res := mustRun(t, `{"steps":[{"type":"compute","name":"v","expr":"a > 1 ? 'big' : a"}]}`, `[{"a":5},{"a":1},{"a":7}]`, Limits{})
	f := res.Frames[0]
	if f.Fields[1].Type() != data.FieldTypeNullableString {
		t.Fatalf("type %v", f.Fields[1].Type())
	}
	if !f.Fields[1].NilAt(1) || len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "not of type string") {
		t.Fatalf("notices %+v", res.Notices)
	}
}

func TestRuntimeSchemaErrors(t *testing.T) {
	// With inferred columns, name and type errors surface at Run with the step's path.
	_, err := run(`{"steps":[{"type":"filter","expr":"prce > 1"}]}`, Input{Body: []byte(`[{"price":1}]`)}, Limits{})
	te := wantCode(t, err, CodeInvalidPipeline)
	if te.Path != "steps[0].expr" || te.Message != `unknown name "prce" (did you mean "price"?)` {
		t.Fatalf("%q %q", te.Path, te.Message)
	}
	_, err = run(`{"steps":[{"type":"groupBy","aggregates":[{"op":"sum","field":"s"}]}]}`, Input{Body: []byte(`[{"s":"x"}]`)}, Limits{})
	te = wantCode(t, err, CodeInvalidPipeline)
	if te.Path != "steps[0].aggregates[0].field" {
		t.Fatalf("%q %q", te.Path, te.Message)
	}
}

func TestSniffFormat(t *testing.T) {
	for _, c := range []struct{ ct, body, want string }{
		{"application/json", "a,b", FormatJSON},
		{"application/vnd.api+json", "", FormatJSON},
		{"application/x-ndjson", `{}`, FormatNDJSON},
		{"text/csv; charset=utf-8", `{}`, FormatCSV},
		{"", `[1,2]`, FormatJSON},
		{"", " {\"a\":1}\n{\"a\":2}", FormatNDJSON},
		{"", `{"a":`, FormatJSON},
		{"", "a,b\n1,2", FormatCSV},
		{"text/plain", "\ufeff[1]", FormatJSON},
	} {
		if got, _ := sniffFormat(c.ct, []byte(c.body)); got == nil || got.name != c.want {
			t.Errorf("%q %q: %v, want %s", c.ct, c.body, got, c.want)
		}
	}
}

func TestTimeParsing(t *testing.T) {
	ms := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t.UTC() }
	auto, _ := parseTimeFormat("")
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2024-05-01T10:00:00Z", ms("2024-05-01T10:00:00Z")},
		{"2024-05-01T10:00:00.123456789-01:30", ms("2024-05-01T11:30:00.123456789Z")},
		{"2024-05-01T10:00:00", ms("2024-05-01T10:00:00Z")},
		{"2024-05-01 10:00:00.5", ms("2024-05-01T10:00:00.5Z")},
		{"2024-05-01", ms("2024-05-01T00:00:00Z")},
		{"1714557600", ms("2024-05-01T10:00:00Z")},
		{"1714557600123", ms("2024-05-01T10:00:00.123Z")},
		{"1714557600123456", ms("2024-05-01T10:00:00.123456Z")},
		{"1714557600123456789", ms("2024-05-01T10:00:00.123456789Z")},
		{"-1.5", time.Time{}}, // not a plausible epoch for auto
		{"2024-13-01", time.Time{}},
		{"2023-02-29", time.Time{}},
		{"yesterday", time.Time{}},
	} {
		got, ok := auto.parseText(c.in)
		if ok != !c.want.IsZero() || !got.Equal(c.want) {
			t.Errorf("%q: %v %v, want %v", c.in, got, ok, c.want)
		}
	}
	unixS, _ := parseTimeFormat("unix_s")
	if got, ok := unixS.parseText("-1.5"); !ok || !got.Equal(time.Unix(-2, 5e8)) {
		t.Errorf("-1.5 s: %v", got)
	}
	if got, ok := unixS.parseNumber("1.7145576e9", 1.7145576e9); !ok || !got.Equal(ms("2024-05-01T10:00:00Z")) {
		t.Errorf("exponent form: %v", got)
	}
	for _, bad := range []string{"YYYY-MM-DD", "hello", "", "2006"} {
		if bad != "" && validLayout(bad) == (bad != "2006") {
			t.Errorf("validLayout(%q)", bad)
		}
	}
	if !timeNamed("createdAt") || !timeNamed("@timestamp") || !timeNamed("end_time") || timeNamed("At") || timeNamed("status") || timeNamed("category") {
		t.Error("timeNamed")
	}
}

func TestIsNumberText(t *testing.T) {
	for s, want := range map[string]bool{"1": true, "-1.5e3": true, "+2": true, "007": true, ".5": false, "1.": false,
		"NaN": false, "Inf": false, "0x10": false, "1_000": false, "": false, "1e": false, " 1": false} {
		if isNumberText(s) != want {
			t.Errorf("%q", s)
		}
	}
}

func TestExpressionDatesAreUTC(t *testing.T) {
	res := mustRun(t, `{"steps":[{"type":"compute","name":"d","expr":"date('2024-05-01')"},{"type":"compute","name":"same","expr":"d == date('2024-05-01T00:00:00Z')"}]}`, `[{"a":1}]`, Limits{})
	d, _ := res.Frames[0].Fields[1].ConcreteAt(0)
	if !d.(time.Time).Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("date() = %v", d)
	}
	if same, _ := res.Frames[0].Fields[2].ConcreteAt(0); same != true {
		t.Fatal("date() not in UTC")
	}
}

func TestNDJSONVariants(t *testing.T) {
	// CRLF line ends, JSON text sequence separators, scalar and array lines.
	res := mustRun(t, `{"format":"ndjson"}`, "{\"a\":1}\r\n\x1e{\"a\":2}\n[3,4]\n", Limits{})
	f := res.Frames[0]
	if res.Rows != 4 || len(f.Fields) != 2 || f.Fields[0].Name != "a" || f.Fields[1].Name != "value" {
		t.Fatalf("rows %d fields %d", res.Rows, len(f.Fields))
	}
	if v, _ := f.Fields[0].ConcreteAt(1); v != 2.0 {
		t.Fatalf("a[1] = %v", v)
	}
	if v, _ := f.Fields[1].ConcreteAt(3); v != 4.0 {
		t.Fatalf("value[3] = %v", v)
	}
}

func TestDefaultsOfEveryType(t *testing.T) {
	res := mustRun(t, `{"columns":[
	  {"name":"s","type":"string","default":7},
	  {"name":"n","type":"number","default":"1.5"},
	  {"name":"b","type":"boolean","default":"TRUE"},
	  {"name":"t","type":"time","default":"2024-05-01T00:00:00Z"},
	  {"name":"u","type":"time","timeFormat":"unix_s","default":1714521600},
	  {"name":"j","type":"json","default":{"none":true}}]}`,
		`[{"s":null}, {"s":"x","n":2,"b":false,"t":"2024-05-02T00:00:00Z","u":0,"j":[1]}]`, Limits{})
	f := res.Frames[0]
	may1 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	want := []any{"7", 1.5, true, may1, may1, json.RawMessage(`{"none":true}`)}
	for i, w := range want {
		got, _ := f.Fields[i].ConcreteAt(0)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s: default %v, want %v", f.Fields[i].Name, got, w)
		}
		if f.Fields[i].NilAt(1) {
			t.Errorf("%s: value replaced", f.Fields[i].Name)
		}
	}
	_, err := ParsePipeline([]byte(`{"columns":[{"name":"b","type":"boolean","default":"yes"}]}`))
	if err == nil {
		t.Fatal("invalid default accepted")
	}
}

func TestKeyJSON(t *testing.T) {
	var ks []Key
	if err := json.Unmarshal([]byte(`["a",{"field":"b","desc":true},{"field":"c"}]`), &ks); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(ks)
	if string(out) != `["a",{"field":"b","desc":true},"c"]` {
		t.Fatalf("%s", out)
	}
	if err := json.Unmarshal([]byte(`[{"field":"a","up":true}]`), &ks); err == nil {
		t.Fatal("unknown key field accepted")
	}
}

func TestSubSecondBuckets(t *testing.T) {
	res := mustRun(t, `{"steps":[{"type":"groupBy","timeBucket":{"field":"t","interval":"250ms"},"aggregates":[{"op":"count"}]}]}`,
		`[{"t":"2024-05-01T00:00:00.100Z"},{"t":"2024-05-01T00:00:00.240Z"},{"t":"2024-05-01T00:00:00.260Z"},{"t":"1969-12-31T23:59:59.900Z"}]`, Limits{})
	f := res.Frames[0]
	var got []string
	for i := 0; i < f.Rows(); i++ {
		tv, _ := f.Fields[0].ConcreteAt(i)
		n, _ := f.Fields[1].ConcreteAt(i)
		got = append(got, fmt.Sprintf("%s=%v", tv.(time.Time).Format("15:04:05.000"), n))
	}
	if strings.Join(got, " ") != "23:59:59.750=1 00:00:00.000=2 00:00:00.250=1" {
		t.Fatalf("%v", got)
	}
}

func TestNoticesAreCapped(t *testing.T) {
	var cols []string
	var row []string
	for i := 0; i < 30; i++ {
		cols = append(cols, fmt.Sprintf(`{"name":"c%d","type":"number"}`, i))
		row = append(row, fmt.Sprintf(`"c%d":"x"`, i))
	}
	res := mustRun(t, `{"columns":[`+strings.Join(cols, ",")+`]}`, `[{`+strings.Join(row, ",")+`}]`, Limits{})
	if len(res.Notices) != maxNotices+1 || !strings.Contains(res.Notices[maxNotices].Text, "10 more notices") {
		t.Fatalf("%d notices, last %q", len(res.Notices), res.Notices[len(res.Notices)-1].Text)
	}
}
