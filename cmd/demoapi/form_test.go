package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestFormEchoesRowsInOrder(t *testing.T) {
	ts, _ := newTestAPI(t)
	want := []formRow{{Key: "tag", Value: "a&b"}, {Key: "z", Value: "1"}, {Key: "tag", Value: "c d"}}
	var out struct {
		ContentType string
		Fields      []formRow
	}

	req := newRequest(t, "POST", ts.URL+"/api/form", strings.NewReader("tag=a%26b&z=1&tag=c+d"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := send(t, ts.Client(), req)
	checkStatus(t, resp, body, 200)
	decode(t, body, &out)
	if out.ContentType != "form" || !reflect.DeepEqual(out.Fields, want) {
		t.Errorf("form: %s", body)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range want {
		_ = mw.WriteField(f.Key, f.Value)
	}
	_ = mw.Close()
	req = newRequest(t, "PUT", ts.URL+"/api/form", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, body = send(t, ts.Client(), req)
	checkStatus(t, resp, body, 200)
	out.Fields = nil
	decode(t, body, &out)
	if out.ContentType != "multipart" || !reflect.DeepEqual(out.Fields, want) {
		t.Errorf("multipart: %s", body)
	}

	req = newRequest(t, "POST", ts.URL+"/api/form", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	resp, body = send(t, ts.Client(), req)
	checkAPIError(t, resp, body, http.StatusUnsupportedMediaType)

	req = newRequest(t, "POST", ts.URL+"/api/form", strings.NewReader("--x\r\nbroken"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	resp, body = send(t, ts.Client(), req)
	checkAPIError(t, resp, body, http.StatusBadRequest)
}
