package transform

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// rowsWith is n rows {"i": k, "s": s, "a": a}.
func rowsWith(n int, s string, a []int) string {
	sj, _ := json.Marshal(s)
	aj, _ := json.Marshal(a)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"i":1,"s":` + string(sj) + `,"a":` + string(aj) + `}`)
	}
	b.WriteString("]")
	return b.String()
}

func seq(n int) []int {
	a := make([]int, n)
	for i := range a {
		a[i] = i
	}
	return a
}

// TestExprBudget: an expression whose work per row is out of proportion stops
// the run with a 422 naming the expression, instead of burning CPU or memory
// on every row (issue 15, finding 2).
func TestExprBudget(t *testing.T) {
	s100k := strings.Repeat("x", 100_000)
	concat := "len(s" + strings.Repeat(" + s", 20) + ") > 0"
	lim := Limits{MaxInputBytes: 2 << 20}
	for _, c := range []struct {
		name, step, body, want string
	}{
		{"range", `{"type":"filter","expr":"len(filter(1..400000, # % 7 == 0)) > 0"}`, rowsWith(20, "", nil), "elements of ranges"},
		{"nested loops over data", `{"type":"filter","expr":"any(a, any(a, # == -1))"}`, rowsWith(2, "", seq(2000)), "loop iterations"},
		{"reduce building text", `{"type":"compute","name":"x","expr":"len(reduce(1..1000, #acc + s, ''))"}`, rowsWith(2, strings.Repeat("x", 10_000), nil), "bytes of text"},
		{"concatenation", `{"type":"filter","expr":"` + concat + `"}`, rowsWith(2, s100k, nil), "bytes of text"},
		{"toJSON of repeats", `{"type":"filter","expr":"len(toJSON([s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s])) > 0"}`, rowsWith(2, s100k, nil), "bytes of text"},
		{"replace empty", `{"type":"filter","expr":"len(replace(s, '', s)) > 0"}`, rowsWith(2, strings.Repeat("x", 10_000), nil), "bytes of text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(`{"steps":[`+c.step+`]}`, Input{Body: []byte(c.body)}, lim)
			te := wantCode(t, err, CodeExprTooCostly)
			if te.Path != "steps[0].expr" || !strings.Contains(te.Message, "expression exceeded its budget") || !strings.Contains(te.Message, c.want) {
				t.Errorf("got %q: %q", te.Path, te.Message)
			}
			if te.HTTPStatus() != 422 {
				t.Errorf("status %d", te.HTTPStatus())
			}
		})
	}
}

// TestExprWithinBudget: ordinary work with loops and text is unaffected.
func TestExprWithinBudget(t *testing.T) {
	body := rowsWith(3, "abc", seq(500))
	res := mustRun(t, `{"steps":[
		{"type":"filter","expr":"all(a, # >= 0) && len(filter(1..1000, # % 7 == 0)) == 142"},
		{"type":"compute","name":"n","expr":"sum(map(a, # * 2))"},
		{"type":"compute","name":"t","expr":"upper(s) + '-' + replace(s, 'b', 'BB') + toJSON(a[0:2])"},
		{"type":"compute","name":"j","expr":"fromJSON('{\"k\":[1,2]}').k[1]"}]}`, body, Limits{})
	if res.Rows != 3 {
		t.Fatalf("rows %d", res.Rows)
	}
	f := res.Frames[0]
	if v, _ := f.Fields[3].ConcreteAt(0); v != 249500.0 {
		t.Errorf("n = %v", v)
	}
	if v, _ := f.Fields[4].ConcreteAt(0); v != "ABC-aBBc[\n  0,\n  1\n]" {
		t.Errorf("t = %q", v)
	}
	if v, _ := f.Fields[5].ConcreteAt(0); v != 2.0 {
		t.Errorf("j = %v", v)
	}
}

// TestFromJSONDepth: fromJSON reads text as JSON, so the reader's depth limit
// applies to it too; a deeper value is a failed evaluation (null + notice).
func TestFromJSONDepth(t *testing.T) {
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	res := mustRun(t, `{"steps":[{"type":"compute","name":"x","expr":"fromJSON(s)"}]}`, rowsWith(1, deep, nil), Limits{})
	if v, ok := res.Frames[0].Fields[3].At(0).(*string); !ok || v != nil {
		t.Errorf("x = %v", res.Frames[0].Fields[3].At(0))
	}
	if len(res.Notices) == 0 || !strings.Contains(res.Notices[0].Text, "nested deeper than 512") {
		t.Errorf("notices %v", res.Notices)
	}
}

// doneCtx is a context whose Done channel is closed while Err still reports
// nil, as between a deadline passing and the next check: the evaluator must
// notice it from Done alone.
type doneCtx struct{ context.Context }

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (doneCtx) Done() <-chan struct{} { return closedChan }

func TestExprStopsAtDeadline(t *testing.T) {
	_, err := runCtx(doneCtx{context.Background()}, `{"steps":[{"type":"filter","expr":"i > 0"}]}`, Input{Body: []byte(rowsJSON(10))}, Limits{})
	te := wantCode(t, err, CodeTimeout)
	if te.Path != "steps[0].expr" || !strings.Contains(te.Message, "while evaluating the expression") {
		t.Errorf("got %q: %q", te.Path, te.Message)
	}
}

// TestMeterDeadlineInLoop: within one long evaluation the meter looks at the
// deadline every 1024 steps.
func TestMeterDeadlineInLoop(t *testing.T) {
	m := &exprMeter{done: closedChan, maxBytes: 1 << 20}
	m.reset()
	for i := 0; i < 1023; i++ {
		if err := m.charge(1, 0); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := m.charge(1, 0); err != errDeadline {
		t.Fatalf("got %v, want the deadline", err)
	}
}
