package query

import (
	"encoding/binary"
	"errors"

	"github.com/relay-gateway/relay/pkg/transform"
)

// A paginated query's cache entry holds its pages as fetched, each with
// what the engine reads it by (Content-Type, Content-Encoding, the list
// value): the engine reads them again on a hit, as it read them when they
// were fetched. The framing is a version byte, then per page four
// length-prefixed (uvarint) strings.
const pagesCodecVersion = 1

func encodePages(pages []transform.Page) []byte {
	size := 1
	for _, p := range pages {
		size += 4*binary.MaxVarintLen64 + len(p.ContentType) + len(p.ContentEncoding) + len(p.Label) + len(p.Body)
	}
	out := make([]byte, 0, size)
	out = append(out, pagesCodecVersion)
	for _, p := range pages {
		for _, s := range [][]byte{[]byte(p.ContentType), []byte(p.ContentEncoding), []byte(p.Label), p.Body} {
			out = binary.AppendUvarint(out, uint64(len(s)))
			out = append(out, s...)
		}
	}
	return out
}

var errPagesCodec = errors.New("query cache: malformed pages entry")

func decodePages(b []byte) ([]transform.Page, error) {
	if len(b) == 0 || b[0] != pagesCodecVersion {
		return nil, errPagesCodec
	}
	b = b[1:]
	next := func() ([]byte, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, false
		}
		s := b[k : k+int(n)]
		b = b[k+int(n):]
		return s, true
	}
	var pages []transform.Page
	for len(b) > 0 {
		var f [4][]byte
		for i := range f {
			s, ok := next()
			if !ok {
				return nil, errPagesCodec
			}
			f[i] = s
		}
		pages = append(pages, transform.Page{ContentType: string(f[0]), ContentEncoding: string(f[1]), Label: string(f[2]), Body: f[3]})
	}
	return pages, nil
}

// size is the bytes of the answer, for the cache's counters.
func (s *sourced) size() int {
	n := len(s.body)
	for _, p := range s.pages {
		n += len(p.Body)
	}
	return n
}
