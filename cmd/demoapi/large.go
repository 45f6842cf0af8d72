package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// GET /large?size=<bytes>[&format=json][&chunked=1] streams a body of the requested size for Relay's response-size
// limits and streaming proxy. It writes in 64 KiB chunks, each flushed, from one shared block, so a 1 GiB response
// costs the same memory as a 64 KiB one.
//
// Raw bodies (application/octet-stream) are exactly size bytes; byte i is largePattern[i%64]. They carry
// Content-Length unless chunked=1, so a limit can act on the header or, chunked, only while streaming.
// format=json streams a JSON array of objects whose total length is at most size (and within one object of it),
// always chunked. HEAD answers the headers only.

const (
	largeChunk       = 64 << 10
	defaultLargeSize = 1 << 20
	maxLargeSize     = 16 << 30
	// largePattern is 64 bytes, so every 64 KiB chunk is the same block.
	largePattern = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-\n"
)

var largeBlock = bytes.Repeat([]byte(largePattern), largeChunk/len(largePattern))

func (s *server) large(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := int64(defaultLargeSize)
	if v := q.Get("size"); v != "" {
		var err error
		if size, err = parseSize(v); err != nil {
			badRequest(w, err)
			return
		}
	}
	format := q.Get("format")
	if format != "" && format != "raw" && format != "json" {
		badRequest(w, &paramError{name: "format", msg: "must be raw or json"})
		return
	}
	chunked := format == "json" || q.Get("chunked") == "1" || strings.EqualFold(q.Get("chunked"), "true")

	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if format == "json" {
		h.Set("Content-Type", contentTypeJSON)
	}
	if !chunked {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return // net/http would discard the body anyway; do not spend the CPU producing it
	}
	out := &flushWriter{w: w, rc: http.NewResponseController(w)}
	if format == "json" {
		out.buf = make([]byte, 0, largeChunk)
		writeLargeJSON(out, size)
		out.flush()
		return
	}
	for written := int64(0); written < size && out.err == nil; {
		n := min(size-written, largeChunk)
		out.writeFlush(largeBlock[:n])
		written += n
	}
}

// writeLargeJSON emits [{"id":0,...},{"id":1,...},...] of at most size bytes, appending each object into one
// reused scratch slice.
func writeLargeJSON(out *flushWriter, size int64) {
	out.write([]byte("["))
	written := int64(1)
	obj := make([]byte, 0, 256)
	for i := int64(0); out.err == nil; i++ { // ends when the next object would not fit (objects are > 60 bytes)
		obj = obj[:0]
		if i > 0 {
			obj = append(obj, ',')
		}
		obj = appendLargeObject(obj, i)
		if written+int64(len(obj))+1 > size {
			break
		}
		out.write(obj)
		written += int64(len(obj))
	}
	out.write([]byte("]"))
}

// appendLargeObject appends row i: {"id":i,"name":"row-i","value":v,"even":b,"pad":"..."}.
func appendLargeObject(b []byte, i int64) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, i, 10)
	b = append(b, `,"name":"row-`...)
	b = strconv.AppendInt(b, i, 10)
	b = append(b, `","value":`...)
	b = strconv.AppendFloat(b, float64(i*7%10000)/10, 'f', 1, 64)
	b = append(b, `,"even":`...)
	b = strconv.AppendBool(b, i%2 == 0)
	b = append(b, `,"pad":"`...)
	b = append(b, largePattern[:32]...)
	return append(b, `"}`...)
}

// flushWriter pushes bytes to the client a chunk at a time and remembers the first error (the client left), after
// which everything is a no-op.
type flushWriter struct {
	w   io.Writer
	rc  *http.ResponseController
	buf []byte
	err error
}

func (f *flushWriter) writeFlush(p []byte) {
	if f.err != nil {
		return
	}
	if _, f.err = f.w.Write(p); f.err == nil {
		f.err = f.rc.Flush()
	}
}

// write buffers p, sending the buffer when the next write would exceed it.
func (f *flushWriter) write(p []byte) {
	if len(f.buf)+len(p) > cap(f.buf) {
		f.flush()
	}
	f.buf = append(f.buf, p...)
}

func (f *flushWriter) flush() {
	if len(f.buf) > 0 {
		f.writeFlush(f.buf)
		f.buf = f.buf[:0]
	}
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1},
}

// parseSize reads a byte count: "1048576", "64KiB", "1GiB", "10MB" (decimal), "1g" (binary); at most 16 GiB.
func parseSize(s string) (int64, error) {
	num, mult := strings.ToLower(strings.TrimSpace(s)), int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > maxLargeSize/mult {
		return 0, errors.New("size must be a byte count from 0 to 16GiB, e.g. 1048576, 64KiB, 1GiB")
	}
	return n * mult, nil
}
