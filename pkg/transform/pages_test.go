package transform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// runPages reads bodies as pages of pipeline js and runs it once.
func runPages(t *testing.T, js string, lim Limits, label string, pages ...Page) (*Result, *Pages) {
	t.Helper()
	prog, err := Compile(mustPipeline(t, js))
	if err != nil {
		t.Fatal(err)
	}
	ps := prog.NewPages(lim, label)
	for i, pg := range pages {
		if _, err := ps.Add(context.Background(), pg); err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
	}
	res, err := prog.Run(context.Background(), Input{Pages: ps}, lim)
	if err != nil {
		t.Fatal(err)
	}
	return res, ps
}

func TestPagesOfEveryFormat(t *testing.T) {
	for _, c := range []struct {
		name, pipeline string
		pages          []string
		want           string
	}{
		{"json root", `{"root":"items"}`, []string{`{"items":[{"id":1},{"id":2}]}`, `{"items":[{"id":3}]}`}, "id:float64\n1\n2\n3"},
		{"json types across pages", `{}`, []string{`[{"v":1}]`, `[{"v":"x"}]`}, "v:string\n1\nx"},
		{"ndjson", `{"format":"ndjson"}`, []string{"{\"id\":1}\n{\"id\":2}", "{\"id\":3}"}, "id:float64\n1\n2\n3"},
		{"csv header once", `{"format":"csv"}`, []string{"id,n\n1,a\n2,b", "id,n\n3,c"}, "id:float64,n:string\n1,a\n2,b\n3,c"},
		{"xml", `{"format":"xml","root":"//item"}`, []string{`<r><item><id>1</id></item></r>`, `<r><item><id>2</id></item><item><id>3</id></item></r>`}, "id:float64\n1\n2\n3"},
		{"xml typed columns", `{"format":"xml","root":"//item","columns":[{"name":"id","type":"number"}]}`, []string{`<r><item><id>1</id></item></r>`, `<r><item><id>2</id></item></r>`}, "id:float64\n1\n2"},
		{"html", `{"format":"html"}`, []string{`<table><tr><th>id</th></tr><tr><td>1</td></tr></table>`, `<table><tr><th>id</th></tr><tr><td>2</td></tr></table>`}, "id:float64\n1\n2"},
		{"html css columns", `{"format":"html","root":"li","columns":[{"name":"id","selector":"@data-id","type":"number"}]}`, []string{`<ul><li data-id="1">a</li></ul>`, `<ul><li data-id="2">b</li></ul>`}, "id:float64\n1\n2"},
		{"jq root", `{"rootSyntax":"jq","root":".data[] | {id}"}`, []string{`{"data":[{"id":1,"x":0}]}`, `{"data":[{"id":2},{"id":3}]}`}, "id:float64\n1\n2\n3"},
		{"auto", `{"format":"auto"}`, []string{`<r><i><id>1</id></i></r>`, `<r><i><id>2</id></i></r>`}, "id:float64\n1\n2"},
		{"blank page", `{}`, []string{`[{"id":1}]`, ``, `[{"id":2}]`}, "id:float64\n1\n2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pages []Page
			for _, b := range c.pages {
				pages = append(pages, Page{Body: []byte(b)})
			}
			res, _ := runPages(t, c.pipeline, Limits{}, "", pages...)
			if got := pagesText(res); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// List pagination's label column: last in a JSON object (it wins over the
// row's own key), appended to CSV and HTML records, read by an explicit
// column of its name.
func TestPagesLabelColumn(t *testing.T) {
	for _, c := range []struct{ name, pipeline, a, b, want string }{
		{"json", `{}`, `[{"id":1,"host":"x"}]`, `[{"id":2},3]`, "id:float64,host:string,value:float64\n1,a,null\n2,b,null\nnull,null,3"},
		{"csv", `{"format":"csv"}`, "id\n1", "id\n2", "id:float64,host:string\n1,a\n2,b"},
		{"html", `{"format":"html"}`, `<table><tr><td>1</td></tr></table>`, `<table><tr><td>2</td></tr></table>`, "col1:float64,host:string\n1,a\n2,b"},
		{"csv explicit", `{"format":"csv","columns":[{"name":"host"},{"name":"id","type":"number"}]}`, "id\n1", "id\n2", "host:string,id:float64\na,1\nb,2"},
		{"xml", `{"format":"xml","root":"//i"}`, `<r><i><id>1</id></i></r>`, `<r><i><id>2</id></i></r>`, "id:float64,host:string\n1,a\n2,b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, _ := runPages(t, c.pipeline, Limits{}, "host", Page{Body: []byte(c.a), Label: "a"}, Page{Body: []byte(c.b), Label: "b"})
			if got := pagesText(res); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// The pages together are bounded like one body: rows cut at MaxRows, a
// page past MaxInputBytes left out; Stopped says why paging must stop.
func TestPagesLimits(t *testing.T) {
	res, ps := runPages(t, `{}`, Limits{MaxRows: 3}, "", Page{Body: []byte(`[1,2]`)}, Page{Body: []byte(`[3,4]`)}, Page{Body: []byte(`[5]`)})
	if res.Rows != 3 || !strings.Contains(ps.Stopped(), "transform.maxRows (3 rows)") {
		t.Errorf("%d rows, stopped %q", res.Rows, ps.Stopped())
	}
	res, ps = runPages(t, `{}`, Limits{MaxInputBytes: 12}, "", Page{Body: []byte(`[1,2,3]`)}, Page{Body: []byte(`[4,5,6]`)})
	if res.Rows != 3 || !strings.Contains(ps.Stopped(), "past transform.maxInputBytes") || ps.Len() != 1 {
		t.Errorf("%d rows, %d pages, stopped %q", res.Rows, ps.Len(), ps.Stopped())
	}
	prog, _ := Compile(mustPipeline(t, `{"format":"auto"}`))
	ps = prog.NewPages(Limits{}, "")
	if _, err := ps.Add(context.Background(), Page{Body: []byte(`[1]`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Add(context.Background(), Page{Body: []byte("a,b\n1,2")}); err == nil || !strings.Contains(err.Error(), "page 2 is csv, the first page was json") {
		t.Errorf("mixed formats: %v", err)
	}
	if _, err := ps.Add(context.Background(), Page{Body: []byte("<r>"), ContentType: "application/xml"}); err == nil || AsError(err).Code != CodeInvalidInput {
		t.Errorf("invalid page: %v", err)
	}
}

// What the readers build from the pages is charged to Limits.Memory.
func TestPagesChargeTheMemoryBudget(t *testing.T) {
	page := []byte(`<table>` + strings.Repeat(`<tr><td>x</td><td>y</td></tr>`, 2000) + `</table>`)
	prog, _ := Compile(mustPipeline(t, `{"format":"html","root":"tr"}`))
	b := &pageBudget{}
	ps := prog.NewPages(Limits{Memory: b}, "")
	for range 3 {
		if _, err := ps.Add(context.Background(), Page{Body: page}); err != nil {
			t.Fatal(err)
		}
	}
	if b.n < 3*int64(len(page)) {
		t.Errorf("charged %d bytes for 3 pages of %d", b.n, len(page))
	}
	small := prog.NewPages(Limits{Memory: &pageBudget{limit: int64(len(page))}}, "")
	if _, err := small.Add(context.Background(), Page{Body: page}); err == nil || AsError(err).Code != CodeMemoryBudget {
		t.Errorf("over budget: %v", err)
	}
}

var errBudgetTest = errors.New("budget full")

func mustPipeline(t *testing.T, js string) *Pipeline {
	t.Helper()
	p, err := ParsePipeline([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pagesText renders the frame as "name:type,…" and one line of values per row.
func pagesText(res *Result) string {
	f := res.Frames[0]
	var sb strings.Builder
	for i, fld := range f.Fields {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "%s:%s", fld.Name, strings.TrimPrefix(fld.Type().ItemTypeString(), "*"))
	}
	for r := 0; r < f.Rows(); r++ {
		sb.WriteByte('\n')
		for i, fld := range f.Fields {
			if i > 0 {
				sb.WriteByte(',')
			}
			if v, ok := fld.ConcreteAt(r); ok {
				fmt.Fprint(&sb, v)
			} else {
				sb.WriteString("null")
			}
		}
	}
	return sb.String()
}

type pageBudget struct{ n, limit int64 }

func (b *pageBudget) Take(n int64) error {
	if b.limit > 0 && b.n+n > b.limit {
		return errBudgetTest
	}
	b.n += n
	return nil
}
