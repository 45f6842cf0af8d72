package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
)

func TestWriteShape(t *testing.T) {
	rec := httptest.NewRecorder()
	e := Downstream(502, "upstream_unauthorized", "upstream answered %d", 401)
	e.UpstreamStatus, e.RetryAfter = 401, 3
	Write(rec, httptest.NewRequest("GET", "/", nil), e)
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 502 || got["error"] != "upstream answered 401" || got["code"] != "upstream_unauthorized" ||
		got["status"] != float64(502) || got["source"] != "downstream" || got["upstreamStatus"] != float64(401) {
		t.Fatalf("got %d %v", rec.Code, got)
	}
	if rec.Header().Get("Retry-After") != "3" || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("headers %v", rec.Header())
	}
}

func TestFromHidesUnknownErrors(t *testing.T) {
	e := From(errors.New("dial tcp 10.0.0.1: secret internals"))
	if e.Status != 500 || e.Code != "internal" {
		t.Fatalf("%+v", e)
	}
	wrapped := fmt.Errorf("ctx: %w", NotFound("no such action %q", "x"))
	if From(wrapped).Status != 404 {
		t.Fatal("wrapped *Error not found")
	}
}
