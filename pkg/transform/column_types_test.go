package transform

import (
	"strings"
	"testing"
)

func TestColumnTypes(t *testing.T) {
	for _, c := range []struct {
		name, pipeline, body, want string
	}{
		{"int64 exact from numbers and strings", `{"columns":[{"name":"id","type":"int64"}]}`,
			`[{"id":9007199254740993},{"id":"-9223372036854775808"},{"id":"12.0"},{"id":1e3},{"id":null},{"id":"x"},{"id":1.5}]`,
			"id:int64\n9007199254740993\n-9223372036854775808\n12\n1000\nnull\nnull\nnull"},
		{"uint64 exact", `{"columns":[{"name":"n","type":"uint64"}]}`, `[{"n":18446744073709551615},{"n":"7"},{"n":-1}]`,
			"n:uint64\n18446744073709551615\n7\nnull"},
		{"int64 from CSV", `{"format":"csv","columns":[{"name":"id","type":"int64"}]}`, "id\n9223372036854775807\n\n", "id:int64\n9223372036854775807"},
		{"int64 default", `{"columns":[{"name":"id","type":"int64","default":"9007199254740993"}]}`, `[{}]`, "id:int64\n9007199254740993"},
		{"int64 sort and filter", `{"columns":[{"name":"id","type":"int64"}],"steps":[{"type":"filter","expr":"id > 9007199254740992"},{"type":"sort","by":[{"field":"id","desc":true}]}]}`,
			`[{"id":9007199254740993},{"id":9007199254740992},{"id":9007199254740995}]`, "id:int64\n9007199254740995\n9007199254740993"},
		{"int64 groupBy sum and max", `{"columns":[{"name":"g"},{"name":"v","type":"int64"}],"steps":[{"type":"groupBy","by":["g"],"aggregates":[{"op":"sum","field":"v"},{"op":"max","field":"v"}]}]}`,
			`[{"g":"a","v":1},{"g":"a","v":9007199254740993},{"g":"b","v":2}]`, "g:string sum_v:float64 max_v:int64\n\"a\" 9007199254740992 9007199254740993\n\"b\" 2 2"},
		{"uint64 through jq", `{"columns":[{"name":"n","type":"uint64"}],"steps":[{"type":"jq","expr":"map({n: (.n | tostring)})"}]}`, `[{"n":18446744073709551615}]`, "n:string\n\"18446744073709551615\""},
		{"duration to ms", `{"columns":[{"name":"d","type":"duration"}]}`, `[{"d":"1h30m"},{"d":"2d"},{"d":"250ms"},{"d":1500},{"d":"-1s"},{"d":"soon"}]`,
			"d:float64\n5400000\n172800000\n250\n1500\n-1000\nnull"},
		{"enum", `{"columns":[{"name":"s","type":"enum","enum":{"ok":0,"warn":1,"crit":2,"true":5}}]}`, `[{"s":"ok"},{"s":"crit"},{"s":"other"},{"s":true},{}]`,
			"s:float64\n0\n2\nnull\n5\nnull"},
		{"enum default", `{"columns":[{"name":"s","type":"enum","enum":{"ok":0,"crit":2},"default":"crit"}]}`, `[{}]`, "s:float64\n2"},
		{"timezone with a layout", `{"columns":[{"name":"t","timeFormat":"2006-01-02 15:04","timezone":"Europe/Paris"}]}`, `[{"t":"2024-07-01 12:00"},{"t":"2024-01-01 12:00"}]`,
			"t:time.Time\n\"2024-07-01T10:00:00Z\"\n\"2024-01-01T11:00:00Z\""},
		{"timezone for zoneless auto, offsets kept", `{"columns":[{"name":"t","type":"time","timezone":"America/New_York"}]}`, `[{"t":"2024-07-01T12:00:00"},{"t":"2024-07-01T12:00:00Z"},{"t":"2024-07-01"}]`,
			"t:time.Time\n\"2024-07-01T16:00:00Z\"\n\"2024-07-01T12:00:00Z\"\n\"2024-07-01T04:00:00Z\""},
		{"timezone in CSV", `{"format":"csv","columns":[{"name":"t","type":"time","timezone":"Asia/Tokyo"}]}`, "t\n2024-05-01 09:00:00\n", "t:time.Time\n\"2024-05-01T00:00:00Z\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustRun(t, c.pipeline, c.body, Limits{})
			if got := frameText(t, res); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestColumnTypeErrors(t *testing.T) {
	for _, c := range []struct{ name, pipeline, path, msg string }{
		{"enum without map", `{"columns":[{"name":"s","type":"enum"}]}`, "columns[0].enum", "required"},
		{"map without enum", `{"columns":[{"name":"s","type":"number","enum":{"a":1}}]}`, "columns[0].enum", "only allowed"},
		{"enum not numbers", `{"columns":[{"name":"s","type":"enum","enum":{"a":"x"}}]}`, "columns[0].enum", "mapping values to numbers"},
		{"bad zone", `{"columns":[{"name":"t","type":"time","timezone":"Mars/Olympus"}]}`, "columns[0].timezone", "unknown time zone"},
		{"Local refused", `{"columns":[{"name":"t","type":"time","timezone":"Local"}]}`, "columns[0].timezone", "unknown time zone"},
		{"zone on a number", `{"columns":[{"name":"t","type":"number","timezone":"UTC"}]}`, "columns[0].timezone", "only allowed"},
		{"bad int default", `{"columns":[{"name":"n","type":"uint64","default":-1}]}`, "columns[0].default", "not a valid uint64"},
		{"bad duration default", `{"columns":[{"name":"d","type":"duration","default":"soon"}]}`, "columns[0].default", "not a valid"},
		{"unknown type lists the new ones", `{"columns":[{"name":"x","type":"int"}]}`, "columns[0].type", "int64, uint64, duration, enum"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePipeline([]byte(c.pipeline))
			te := wantCode(t, err, CodeInvalidPipeline)
			if te.Path != c.path || !strings.Contains(te.Message, c.msg) {
				t.Fatalf("got %q %q", te.Path, te.Message)
			}
		})
	}
}
