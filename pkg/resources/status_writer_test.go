package resources

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestStatusWriterRecordsTheFinalStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"body only", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK},
		{"explicit", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot) }, http.StatusTeapot},
		{"first wins", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted); w.WriteHeader(http.StatusBadGateway) }, http.StatusAccepted},
		{"early hints first", func(w http.ResponseWriter) { w.WriteHeader(http.StatusEarlyHints); w.WriteHeader(http.StatusNotFound) }, http.StatusNotFound},
		{"early hints then body", func(w http.ResponseWriter) { w.WriteHeader(http.StatusEarlyHints); _, _ = w.Write([]byte("x")) }, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sw := &statusWriter{ResponseWriter: httptest.NewRecorder()}
			tc.write(sw)
			if sw.status != tc.want {
				t.Errorf("status %d, want %d", sw.status, tc.want)
			}
		})
	}
}
