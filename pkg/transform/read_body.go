package transform

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// decodeBody returns the uncompressed body, enforcing lim.MaxInputBytes on
// the decompressed size: decompression stops as soon as the limit is passed,
// so a small gzip bomb costs at most the limit, and the buffer is charged to
// lim.Memory as it grows. Only a body whose Content-Encoding says gzip is
// decoded: a gzip body served as text/html without it is the bytes it is
// (decoding on magic bytes let 61 KB of gzip become a 64 MiB page).
func decodeBody(ctx context.Context, in Input, lim Limits) ([]byte, error) {
	maxBytes := lim.MaxInputBytes
	if int64(len(in.Body)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	isGzip := len(in.Body) >= 2 && in.Body[0] == 0x1f && in.Body[1] == 0x8b
	switch strings.ToLower(strings.TrimSpace(in.ContentEncoding)) {
	case "", "identity":
		return in.Body, nil
	case "gzip", "x-gzip":
		if !isGzip {
			return nil, inputError("content encoding is gzip but the body is not gzip data")
		}
	default:
		return nil, inputError("unsupported content encoding %q (only gzip)", in.ContentEncoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(in.Body))
	if err != nil {
		return nil, inputError("invalid gzip data: %s", err)
	}
	// The gzip trailer holds the uncompressed size (mod 2^32) of the last
	// member: usually exact, so one allocation suffices. It is only a hint —
	// capped by the limit, so a forged trailer cannot make us allocate more —
	// and the buffer grows (at most to the limit) when it is wrong.
	guess := int64(binary.LittleEndian.Uint32(in.Body[len(in.Body)-4:]))
	buf := make([]byte, 0, min(max(guess, 4096), maxBytes)+1)
	if err := lim.charge(int64(cap(buf))); err != nil {
		return nil, err
	}
	sinceCheck := 0
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > maxBytes {
				return nil, tooLarge(maxBytes)
			}
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), maxBytes+1))
			if err := lim.charge(int64(cap(grown))); err != nil {
				return nil, err
			}
			copy(grown, buf)
			buf = grown
		}
		n, err := zr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, inputError("invalid gzip data: %s", gzipErrText(err))
		}
		if sinceCheck += n; sinceCheck >= 1<<20 {
			sinceCheck = 0
			if err := ctx.Err(); err != nil {
				return nil, AsError(err)
			}
		}
	}
	if int64(len(buf)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	return buf, nil
}

func gzipErrText(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated"
	}
	return err.Error()
}

func tooLarge(maxBytes int64) *Error {
	return &Error{Code: CodeInputTooLarge, Message: fmt.Sprintf("input too large: the limit is %d bytes (after decompression)", maxBytes)}
}

// validPrefix cuts a possibly split UTF-8 sequence off the end of a sniffed head.
func validPrefix(b []byte) int {
	n := len(b)
	for i := 1; i <= 3 && i <= n; i++ {
		if utf8.RuneStart(b[n-i]) {
			if !utf8.FullRune(b[n-i:]) {
				return n - i
			}
			break
		}
	}
	return n
}

// looksHTML recognises the start of an HTML page: a doctype or one of the
// elements pages start with, after optional comments.
func looksHTML(head []byte) bool {
	h := bytes.ToLower(head)
	for bytes.HasPrefix(h, []byte("<!--")) {
		end := bytes.Index(h, []byte("-->"))
		if end < 0 {
			return false
		}
		h = bytes.TrimLeft(h[end+3:], " \t\r\n")
	}
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<table", "<div", "<meta", "<title", "<p>", "<p "} {
		if bytes.HasPrefix(h, []byte(p)) {
			return true
		}
	}
	return false
}

// unreadableType lists content types that are certainly not a readable format.
func unreadableType(mt string) bool {
	for _, p := range []string{"image/", "audio/", "video/", "font/"} {
		if strings.HasPrefix(mt, p) {
			return true
		}
	}
	switch mt {
	case "application/octet-stream", "application/pdf", "application/zip", "application/x-protobuf",
		"application/protobuf", "application/grpc", "application/msgpack", "application/x-msgpack", "application/wasm":
		return true
	}
	return false
}

func shortQuote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return fmt.Sprintf("%q", s)
}
