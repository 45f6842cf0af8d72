// Package transformbench benchmarks pkg/transform against a naive
// encoding/json baseline and gjson's own parsing speed. Run it with
// bench/transform.sh, which prints the summary table.
package transformbench

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Rows and the field list of the generated data set.
const Rows = 100_000

// Columns is the explicit column list used by the "explicit" benchmarks and
// by the naive baseline (which builds the same nullable slices).
const Columns = `[
 {"name":"ts","type":"time","timeFormat":"rfc3339"},
 {"name":"id","type":"number"},
 {"name":"host","type":"string"},
 {"name":"cpu","type":"number"},
 {"name":"mem_bytes","type":"number"},
 {"name":"ok","type":"boolean"},
 {"name":"status","type":"number"},
 {"name":"msg","type":"string"},
 {"name":"tags","type":"json"},
 {"name":"latency_ms","type":"number"}]`

var words = []string{"request", "served", "cache", "miss", "upstream", "timeout", "retry", "ok", "slow", "query", "user", "login", "GET", "POST", "/api/v1/items"}

// Generate returns a deterministic JSON array of n rows × 10 fields: an RFC 3339
// timestamp with milliseconds, numbers (integer and decimal), strings (short
// low-cardinality and longer free text, some with escapes), a boolean and a
// nested object. About 10% of the values of the nullable fields are null, half
// as an explicit null and half as a missing key.
func Generate(n int) []byte {
	r := rand.New(rand.NewPCG(42, 1))
	b := make([]byte, 0, n*260)
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		t = t.Add(time.Second + time.Duration(r.IntN(1000))*time.Millisecond)
		first := true
		field := func(name string) bool {
			// ~10% null: 5% explicit null, 5% missing.
			switch x := r.IntN(20); {
			case x == 0:
				return false
			case x == 1:
				if !first {
					b = append(b, ',')
				}
				first = false
				b = append(b, '"')
				b = append(b, name...)
				b = append(b, `":null`...)
				return false
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, '"')
			b = append(b, name...)
			b = append(b, `":`...)
			return true
		}
		b = append(b, '{')
		b = append(b, `"ts":"`...)
		b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, `","id":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		first = false
		if field("host") {
			b = append(b, `"host-`...)
			b = strconv.AppendInt(b, int64(r.IntN(50)), 10)
			b = append(b, '"')
		}
		if field("cpu") {
			b = strconv.AppendFloat(b, float64(r.IntN(10000))/100, 'f', -1, 64)
		}
		if field("mem_bytes") {
			b = strconv.AppendInt(b, 1<<30+r.Int64N(1<<32), 10)
		}
		if field("ok") {
			b = strconv.AppendBool(b, r.IntN(10) != 0)
		}
		if field("status") {
			b = strconv.AppendInt(b, []int64{200, 200, 200, 201, 204, 301, 404, 500}[r.IntN(8)], 10)
		}
		if field("msg") {
			b = append(b, '"')
			for w := 0; w < 2+r.IntN(6); w++ {
				if w > 0 {
					b = append(b, ' ')
				}
				b = append(b, words[r.IntN(len(words))]...)
			}
			if r.IntN(20) == 0 {
				b = append(b, ` \"quoted\"`...)
			}
			b = append(b, '"')
		}
		if field("tags") {
			b = append(b, `{"region":"`...)
			b = append(b, []string{"eu-west-1", "us-east-1", "ap-south-1"}[r.IntN(3)]...)
			b = append(b, `","zone":"`...)
			b = append(b, byte('a'+r.IntN(3)))
			b = append(b, `","canary":`...)
			b = strconv.AppendBool(b, r.IntN(10) == 0)
			b = append(b, '}')
		}
		if field("latency_ms") {
			b = strconv.AppendFloat(b, float64(r.IntN(500000))/1000, 'f', -1, 64)
		}
		b = append(b, '}')
	}
	return append(b, "]\n"...)
}
