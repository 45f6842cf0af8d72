package migrate

import (
	"strings"
	"testing"
)

// TestUQLOperators converts each UQL operator alone; the rows they give are
// checked through the dev host (test/blackbox/migrate_test.go).
func TestUQLOperators(t *testing.T) {
	cases := []struct {
		uql    string
		status string
		want   string // substring of the pipeline's JSON, or of the reason
	}{
		{`parse-json`, Converted, `"pipeline":{"format":"json"}`},
		{`parse-csv`, Converted, `"format":"csv"`},
		{`parse-csv --delimiter ";"`, Converted, `"csv":{"delimiter":";"}`},
		{`parse-tsv`, Converted, `"csv":{"delimiter":"\t"}`},
		{`parse-xml | scope "rss.channel.item"`, Converted, `"format":"xml","root":"/rss/channel/item"`},
		{`parse-json | scope "data.users"`, Converted, `"root":"data.users"`},
		{`parse-json | project "id", "name.first", "born"="dob"`, Converted, `"columns":[{"name":"id"},{"name":"name.first"},{"name":"born","selector":"dob"}]`},
		{`parse-json | where "a" > 1 | project "id", "x"=tonumber("s")`, Converted, `{"expr":"float(s)","name":"x","type":"compute"},{"fields":["id","x"],"type":"select"}`},
		{`parse-json | project-away "a", "b"`, Converted, `{"drop":["a","b"],"type":"select"}`},
		{`parse-json | extend "d"=todatetime("dob"), "u"=toupper("c"), "l"=tolower("c"), "s"=tostring("n"), "n2"="n" * 2 + 1`, Converted,
			`{"expr":"date(dob)","name":"d","type":"compute"},{"expr":"upper(string(c))","name":"u","type":"compute"},{"expr":"lower(string(c))","name":"l","type":"compute"},{"expr":"string(n)","name":"s","type":"compute"},{"expr":"(n * 2) + 1","name":"n2","type":"compute"}`},
		{`parse-json | extend "t"=sum("a","b"), "d"=diff("a","b"), "m"=mul("a",3), "q"=div("a","b")`, Converted, `{"expr":"a + b","name":"t","type":"compute"},{"expr":"a - b","name":"d","type":"compute"},{"expr":"a * 3","name":"m","type":"compute"},{"expr":"a / b","name":"q","type":"compute"}`},
		{`parse-json | where "country" == 'USA' and "age" >= 21 or "vip" == true`, Converted, `{"expr":"((country == \"USA\") && (age >= 21)) || (vip == true)","type":"filter"}`},
		{`parse-json | where "country" in ('USA', 'Canada')`, Converted, `"expr":"country in [\"USA\", \"Canada\"]"`},
		{`parse-json | where "country" !in ('USA')`, Converted, `"expr":"!(country in [\"USA\"])"`},
		{`parse-json | where "region" == '${region}'`, Converted, `"expr":"region == \"${region}\""`},
		{`parse-json | where "name.first" != null`, Converted, `"expr":"name.first != nil"`},
		{`parse-json | order by "a" asc, "b" desc`, Converted, `{"by":["a",{"desc":true,"field":"b"}],"type":"sort"}`},
		{`parse-json | limit 10`, Converted, `{"count":10,"type":"limit"}`},
		{`parse-json | count`, Converted, `{"aggregates":[{"as":"count","op":"count"}],"type":"groupBy"}`},
		{`parse-json | summarize "n"=count(), "total"=sum("p"), "lo"=min("p"), "hi"=max("p"), "m"=mean("p"), "a"=avg("p"), "c"=dcount("city") by "country", "state"`, Converted,
			`"aggregates":[{"as":"n","op":"count"},{"as":"total","field":"p","op":"sum"},{"as":"lo","field":"p","op":"min"},{"as":"hi","field":"p","op":"max"},{"as":"m","field":"p","op":"avg"},{"as":"a","field":"p","op":"avg"},{"as":"c","field":"city","op":"distinct"}],"by":["country","state"]`},
		{`parse-json | mv-expand "user"="users"`, Converted, `{"as":"user","field":"users","type":"expand"}`},
		{`parse-json | mv-expand "users"`, Converted, `{"field":"users","type":"expand"}`},
		{`parse-json | project kv()`, Converted, `"root":"to_entries | map({key, value})","rootSyntax":"jq"`},
		{`parse-json | project kv("data")`, Converted, `"root":"getpath([\"data\"]) | to_entries | map({key, value})"`},
		{"parse-json\n# a comment\n| limit 1", Converted, `{"count":1,"type":"limit"}`},
		// not converted, the operator named
		{`parse-json | pivot sum("s"), "c", "o"`, Skipped, "UQL pivot: Relay has no pivot step"},
		{`parse-json | jsonata "items[price > 100]"`, Skipped, "UQL jsonata: JSONata has no Relay equivalent"},
		{`parse-yaml`, Skipped, "UQL parse-yaml"},
		{`parse-json | extend "h"=parse_url("site",'host')`, Skipped, "function parse_url has no Relay equivalent"},
		{`parse-json | summarize "x"=countif("a", "> 1")`, Skipped, "aggregate countif() has no Relay equivalent"},
		{`parse-json | where "a" > 1 | scope "b"`, Skipped, "scope after other commands"},
		{`parse-json | foo`, Skipped, "the foo command has no Relay equivalent"},
		{`parse-json | where "a" >`, Skipped, "UQL where"},
		{`parse-json | where 'a' == "unterminated`, Skipped, "unterminated"},
	}
	for _, tc := range cases {
		t.Run(tc.uql, func(t *testing.T) {
			target := `{"refId":"A","type":"uql","source":"inline","data":"[]","uql":` + js(tc.uql) + `}`
			got, e := convert(t, PluginInfinity, target)
			if e.Status != tc.status || e.Type != "uql" {
				t.Fatalf("%+v\n%s", e, js(got))
			}
			s := js(got) + e.Reason
			if !strings.Contains(s, tc.want) {
				t.Errorf("lacks %s:\n%s", tc.want, s)
			}
		})
	}
}

func TestUQLOnOtherTypes(t *testing.T) {
	// A CSV query with the UQL parser: its parse-csv, and TSV's default delimiter.
	got, e := convert(t, PluginInfinity, `{"refId":"A","type":"tsv","parser":"uql","source":"inline","data":"a\tb","uql":"parse-csv | where \"a\" == '1'"}`)
	if e.Status != Converted || !strings.Contains(js(got), `"csv":{"delimiter":"\t"},"format":"csv"`) {
		t.Errorf("%+v %s", e, js(got))
	}
}
