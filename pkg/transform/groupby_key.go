package transform

import (
	"encoding/binary"
	"math"
	"time"
)

// The group key and time bucket arithmetic of the groupBy step.

// truncate floors t to a multiple of d since the Unix epoch (the alignment
// Grafana and Prometheus use). Whole-second intervals work in seconds, which
// covers every year; finer ones in nanoseconds (years 1678–2262).
func truncate(t time.Time, d time.Duration, wholeSeconds bool) int64 {
	if wholeSeconds {
		return floorTo(t.Unix(), int64(d/time.Second))
	}
	return floorTo(t.UnixNano(), int64(d))
}

func floorTo(v, m int64) int64 {
	r := v % m
	if r < 0 {
		r += m
	}
	return v - r
}

func fromBucket(b int64, wholeSeconds bool) time.Time {
	if wholeSeconds {
		return time.Unix(b, 0).UTC()
	}
	return time.Unix(0, b).UTC()
}

// appendKey encodes row i of c into a group key: a type tag then the value, with
// length prefixes for text so different values never encode the same.
func appendKey(key []byte, c *column, i int) []byte {
	if c.isNull(i) {
		return append(key, 0)
	}
	switch c.typ {
	case tNumber:
		v := *c.nums[i]
		if v == 0 { // 0 and -0 are one group
			v = 0
		}
		return binary.LittleEndian.AppendUint64(append(key, 1), math.Float64bits(v))
	case tBool:
		if *c.bools[i] {
			return append(key, 2, 1)
		}
		return append(key, 2, 0)
	case tTime:
		tv := *c.times[i]
		key = binary.LittleEndian.AppendUint64(append(key, 3), uint64(tv.Unix()))
		return binary.LittleEndian.AppendUint32(key, uint32(tv.Nanosecond()))
	case tJSON:
		raw := *c.raws[i]
		key = binary.AppendUvarint(append(key, 4), uint64(len(raw)))
		return append(key, raw...)
	case tInt64:
		return binary.LittleEndian.AppendUint64(append(key, 6), uint64(*c.ints[i]))
	case tUint64:
		return binary.LittleEndian.AppendUint64(append(key, 7), *c.uints[i])
	}
	s := *c.strs[i]
	key = binary.AppendUvarint(append(key, 5), uint64(len(s)))
	return append(key, s...)
}
