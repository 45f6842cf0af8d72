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

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// decodeBody returns the uncompressed body, enforcing maxBytes on the
// decompressed size: decompression stops as soon as the limit is passed, so a
// small gzip bomb costs at most maxBytes of memory.
func decodeBody(ctx context.Context, in Input, maxBytes int64) ([]byte, error) {
	if int64(len(in.Body)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	enc := strings.ToLower(strings.TrimSpace(in.ContentEncoding))
	isGzip := len(in.Body) >= 2 && in.Body[0] == 0x1f && in.Body[1] == 0x8b
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		if !isGzip {
			return nil, inputError("content encoding is gzip but the body is not gzip data")
		}
	default:
		return nil, inputError("unsupported content encoding %q (only gzip)", in.ContentEncoding)
	}
	if !isGzip {
		return in.Body, nil
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
	sinceCheck := 0
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > maxBytes {
				return nil, tooLarge(maxBytes)
			}
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), maxBytes+1))
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
// JSON object or array is NDJSON; anything else is CSV.
func sniffFormat(contentType string, body []byte) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch {
		case mt == "application/x-ndjson", mt == "application/ndjson", mt == "application/jsonl",
			mt == "application/x-jsonlines", mt == "application/jsonlines", mt == "application/json-seq":
			return FormatNDJSON
		case mt == "text/csv", mt == "application/csv":
			return FormatCSV
		case mt == "application/json", strings.HasSuffix(mt, "+json"):
			return FormatJSON
		}
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\uFEFF")), " \t\r\n")
	if len(trimmed) == 0 {
		return FormatJSON
	}
	if c := trimmed[0]; c == '{' || c == '[' {
		if err := jsonscan.Validate(trimmed); err == nil {
			return FormatJSON
		}
		line := trimmed
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if err := jsonscan.Validate(bytes.TrimSpace(line)); err == nil {
			return FormatNDJSON
		}
		return FormatJSON // report it as invalid JSON, the likelier intent
	}
	return FormatCSV
}
