package transform

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
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

// sniffFormat resolves format "auto": the content type first, then the bytes.
// A body that is one valid JSON document is JSON; one whose first line is a
// JSON object or array is NDJSON; one starting with "<" is HTML (a doctype,
// <html>, <head>, <body>, <table> …) or else XML; other text is CSV. A body
// that is no text at all (NUL bytes, invalid UTF-8) or whose content type is
// a known non-text type is an error naming both, never a wrong frame.
func sniffFormat(contentType string, body []byte) (string, *Error) {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch {
		case mt == "application/x-ndjson", mt == "application/ndjson", mt == "application/jsonl",
			mt == "application/x-jsonlines", mt == "application/jsonlines", mt == "application/json-seq":
			return FormatNDJSON, nil
		case mt == "text/csv", mt == "application/csv":
			return FormatCSV, nil
		case mt == "application/json", strings.HasSuffix(mt, "+json"):
			return FormatJSON, nil
		case mt == "text/html", mt == "application/xhtml+xml":
			return FormatHTML, nil
		case mt == "application/xml", mt == "text/xml", strings.HasSuffix(mt, "+xml"):
			return FormatXML, nil
		case unreadableType(mt):
			return "", unreadable(contentType, body)
		}
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\uFEFF")), " \t\r\n")
	if len(trimmed) == 0 {
		return FormatJSON, nil
	}
	if c := trimmed[0]; c == '{' || c == '[' {
		if err := jsonscan.Validate(trimmed); err == nil {
			return FormatJSON, nil
		}
		line := trimmed
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if err := jsonscan.Validate(bytes.TrimSpace(line)); err == nil {
			return FormatNDJSON, nil
		}
		return FormatJSON, nil // report it as invalid JSON, the likelier intent
	}
	head := trimmed[:min(len(trimmed), 4096)]
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head[:validPrefix(head)]) {
		return "", unreadable(contentType, body)
	}
	if trimmed[0] == '<' {
		if looksHTML(head) {
			return FormatHTML, nil
		}
		return FormatXML, nil
	}
	return FormatCSV, nil
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

func unreadable(contentType string, body []byte) *Error {
	ct := contentType
	if ct == "" {
		ct = "(none)"
	}
	return inputError("format \"auto\" cannot read this response: Content-Type %s, starts with %s; set the pipeline's format (json, ndjson, csv, xml, html) if it is one of them",
		shortQuote(ct), excerpt(body))
}

func shortQuote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return fmt.Sprintf("%q", s)
}

// DetectFormat is how format "auto" reads a body: the format it resolves to,
// or the error naming the content type and first bytes. Callers that handle
// bodies before the engine (the query's page joiner) decide as it would.
func DetectFormat(contentType string, body []byte) (string, error) {
	f, err := sniffFormat(contentType, body)
	if err != nil {
		return "", err
	}
	return f, nil
}
