package query

import (
	"bytes"
	"testing"

	"github.com/relay-gateway/relay/pkg/transform"
)

func TestPagesCodecRoundTrip(t *testing.T) {
	pages := []transform.Page{
		{Body: []byte(`<r/>`), ContentType: "application/xml"},
		{Body: []byte{0x1f, 0x8b, 0, 1}, ContentEncoding: "gzip", Label: "web-1"},
		{},
	}
	got, err := decodePages(encodePages(pages))
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %+v", err, got)
	}
	for i := range pages {
		if !bytes.Equal(got[i].Body, pages[i].Body) || got[i].ContentType != pages[i].ContentType ||
			got[i].ContentEncoding != pages[i].ContentEncoding || got[i].Label != pages[i].Label {
			t.Errorf("page %d: %+v, want %+v", i, got[i], pages[i])
		}
	}
	enc := encodePages(pages)
	for _, bad := range [][]byte{nil, {2}, enc[:len(enc)-2], append(append([]byte{}, enc...), 0xff)} {
		if _, err := decodePages(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
