package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/settings"
)

func TestIdempotencyStoreIsBounded(t *testing.T) {
	now := time.Now()
	s := newIdempotencyStore(func() time.Time { return now })
	s.maxItems, s.maxBytes = 50, 20_000
	for i := 0; i < 500; i++ {
		body := strings.Repeat("x", i%7*300)
		s.do(context.Background(), fmt.Sprint(i), [32]byte{}, func() outcome {
			return outcome{result: &Result{Body: body, bodyBytes: len(body)}, status: 200}
		})
		if n, b := s.len(); n > 50 || b > 20_000 {
			t.Fatalf("after %d: %d entries, %d bytes", i, n, b)
		}
	}
	// A panicking run releases its waiters.
	func() {
		defer func() { _ = recover() }()
		s.do(context.Background(), "p", [32]byte{}, func() outcome { panic("boom") })
	}()
	out, _ := s.do(context.Background(), "p", [32]byte{}, func() outcome { return outcome{status: 200, result: &Result{}} })
	if out.result == nil {
		t.Fatal("the key of a panicked run stayed blocked")
	}
}

func TestCompileErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"name":"a","method":"GET","path":"/x/{nope}"}`:                                                             "{nope}",
		`{"name":"a","method":"GET","path":"/x?y=1"}`:                                                                "path",
		`{"name":"a","method":"GET","path":"/x/../y"}`:                                                               "'..'",
		`{"name":"a","method":"GET","path":"/x//y"}`:                                                                 "empty segment",
		`{"name":"a","method":"GET","path":"/x/{a"}`:                                                                 "placeholders",
		`{"name":"a","method":"GET","path":"/x","query":{"q":"{{b}}"}}`:                                              "{b}",
		`{"name":"a","method":"POST","path":"/x","body":{"{{k}}":1}}`:                                                "object keys",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"integer","pattern":"x"}]}`:             "pattern",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"integer","default":"x"}]}`:             "default",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"string","enum":["a"],"default":"b"}]}`: "default",
		`{"name":"a","method":"GET","path":"/x","params":[{"name":"p","type":"number","min":2,"max":1}]}`:            "min",
	}
	for js, frag := range cases {
		var a settings.Action
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			t.Fatal(err)
		}
		_, err := compile(a, 3)
		if err == nil || !strings.Contains(err.Error(), "jsonData.actions[3]") || !strings.Contains(err.Error(), frag) {
			t.Errorf("%s: %v", js, err)
		}
	}
}
