package jqworker

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/relay-gateway/relay/pkg/transform"
)

// protocolVersion is in the worker's hello: a pool talks only to a worker
// of its own build.
const protocolVersion = "relay-jq/1"

// Frame bounds the reader checks before it allocates.
const (
	maxHeaderBytes = 1 << 20 // a request header holds the program (≤ 4 KiB); answers are small
	maxInputBytes  = 1 << 31 // a request's input; the parent's limits keep it far below
)

// hello is the worker's first frame: it has set its limits and waits for work.
type hello struct {
	Protocol string `json:"protocol"`
	Limits   string `json:"limits"` // which hard limits the platform applied, for the log
}

// request is a job's header frame; the input document follows in the next frame.
type request struct {
	Job transform.JQJob `json:"job"`
	// CPUSeconds is the job's CPU time backstop (the deadline, rounded up);
	// the pool kills the worker at the deadline itself.
	CPUSeconds int64 `json:"cpuSeconds"`
}

// response is an answer's header frame; the rows follow in the next frame
// (empty when Error is set).
type response struct {
	Error *transform.Error `json:"error,omitempty"`
	// Retire: the worker's runtime holds much more memory from the OS than
	// at start (a costly program ran); the pool replaces it, so the next
	// program starts with the whole budget.
	Retire bool `json:"retire,omitempty"`
}

// writeFrame writes a length-prefixed frame.
func writeFrame(w io.Writer, payload []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(payload)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

func writeJSONFrame(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFrame(w, b)
}

// errFrameTooLarge: the peer announced more than the reader accepts.
var errFrameTooLarge = errors.New("frame larger than allowed")

// readFrame reads one frame of at most limit bytes (checked before allocating).
func readFrame(r io.Reader, limit int64) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := int64(binary.BigEndian.Uint32(n[:]))
	if size > limit {
		return nil, fmt.Errorf("%w: %d > %d bytes", errFrameTooLarge, size, limit)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}

func readJSONFrame(r io.Reader, limit int64, v any) error {
	b, err := readFrame(r, limit)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
