package resources

import (
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// responseWriter is the http.ResponseWriter of one resource call: every
// Flush sends what was written since the last one as one CallResource
// message, the first with the status and headers; an answer never flushed is
// one message, sent when the handler returns.
//
// The body buffer is reused from one flush to the next. The contract of
// backend.CallResourceResponseSender this relies on: the sender is done with
// a message's Body when Send returns. Over the plugin protocol it is: gRPC's
// SendMsg marshals the message into its own buffer before writing it and
// returning (grpc-go serverStream.SendMsg → prepareMsg → encode →
// encoding/proto codecV2.Marshal, in grpc-go v1.84.0), the SDK's stats
// handler (otelgrpc) ignores payloads, and grpc.EnableTracing, which would
// keep the message for /debug/requests, is off (neither the SDK nor Relay
// sets it). A sender that keeps Body must copy it (resourcetest's Sender
// does).
type responseWriter struct {
	sender backend.CallResourceResponseSender
	header http.Header
	status int
	head   bool // a HEAD call: no body is sent

	wroteHeader bool
	sentFirst   bool
	buf         []byte
	err         error // the first failed Send: the client is gone
}

func newResponseWriter(sender backend.CallResourceResponseSender, method string) *responseWriter {
	return &responseWriter{sender: sender, header: http.Header{}, status: http.StatusOK, head: method == http.MethodHead}
}

func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader sets the status of the first message. Informational statuses
// are not an answer (ReverseProxy passes an upstream's 103 Early Hints
// through here before the real status), so they are ignored: a resource call
// has one status.
func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader || (code >= 100 && code < 200) {
		return
	}
	w.status, w.wroteHeader = code, true
}

// Write buffers p until the next Flush. Without a Content-Type (and without
// Transfer-Encoding), the first write's bytes decide it, as in the SDK's
// adapter. Once a Send has failed, Write returns that error, so a copy loop
// (ReverseProxy's io.Copy of the upstream body) stops instead of reading on.
func (w *responseWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if !w.wroteHeader {
		if _, ok := w.header["Content-Type"]; !ok && w.header.Get("Transfer-Encoding") == "" {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.bodyAllowed() {
		w.buf = append(w.buf, p...)
	}
	return len(p), nil
}

// bodyAllowed is false where HTTP has no body: a HEAD call, 204 and 304
// (written bytes are dropped, as net/http's own writer does).
func (w *responseWriter) bodyAllowed() bool {
	return !w.head && w.status != http.StatusNoContent && w.status != http.StatusNotModified
}

// Flush sends what was written since the last Flush (the first time, with
// the status and a copy of the headers, even without a body) and keeps the
// buffer for the next chunk.
func (w *responseWriter) Flush() {
	if w.err != nil || (w.sentFirst && len(w.buf) == 0) {
		return
	}
	w.wroteHeader = true
	msg := &backend.CallResourceResponse{}
	if len(w.buf) > 0 {
		msg.Body = w.buf
	}
	if !w.sentFirst {
		msg.Status, msg.Headers = w.status, w.header.Clone()
		w.sentFirst = true
	}
	if err := w.sender.Send(msg); err != nil {
		w.err = err // not logged: a client that went away is no fault of the plugin's
	}
	w.buf = w.buf[:0]
}
