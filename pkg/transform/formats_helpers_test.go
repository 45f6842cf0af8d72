package transform

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/formats/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// frameText renders the first frame compactly: "name:type" header, then one
// line per row of JSON values, so a table test reads like the data.
func frameText(t testing.TB, res *Result) string {
	t.Helper()
	f := res.Frames[0]
	var sb strings.Builder
	for i, fld := range f.Fields {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%s:%s", fld.Name, strings.TrimPrefix(fld.Type().ItemTypeString(), "*"))
	}
	for r := 0; r < f.Rows(); r++ {
		sb.WriteByte('\n')
		for i, fld := range f.Fields {
			if i > 0 {
				sb.WriteByte(' ')
			}
			v, ok := fld.ConcreteAt(r)
			if !ok {
				sb.WriteString("null")
				continue
			}
			b, _ := json.Marshal(v)
			sb.Write(b)
		}
	}
	return sb.String()
}
