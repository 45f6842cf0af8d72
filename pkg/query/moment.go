package query

import (
	"strconv"
	"strings"
	"time"
)

// momentTokens are the moment.js format tokens Grafana users write in
// ${__from:date:<format>}, longest first so "YYYY" wins over "YY". No Go
// module on hand implements moment's grammar; this table is the small subset
// with a fixed meaning (no locale: English names, ISO weeks).
var momentTokens = []string{
	"YYYY", "GGGG", "MMMM", "DDDD", "dddd", "SSSSSSSSS", "SSSSSS", "SSS", "MMM", "DDD", "ddd",
	"YY", "MM", "Mo", "DD", "Do", "dd", "WW", "ww", "HH", "hh", "kk", "mm", "ss", "SS", "ZZ",
	"Y", "Q", "M", "D", "d", "E", "W", "w", "H", "h", "k", "m", "s", "S", "A", "a", "Z", "X", "x",
}

// formatMoment renders t with a moment.js format. Text in [brackets] is
// literal; characters that are no token are copied, as moment does.
func formatMoment(t time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); {
		if format[i] == '[' {
			if end := strings.IndexByte(format[i:], ']'); end > 0 {
				b.WriteString(format[i+1 : i+end])
				i += end + 1
				continue
			}
		}
		tok := ""
		for _, cand := range momentTokens {
			if strings.HasPrefix(format[i:], cand) {
				tok = cand
				break
			}
		}
		if tok == "" {
			b.WriteByte(format[i])
			i++
			continue
		}
		b.WriteString(momentToken(t, tok))
		i += len(tok)
	}
	return b.String()
}

func momentToken(t time.Time, tok string) string {
	pad := func(n, width int) string {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = "0" + s
		}
		return s
	}
	isoYear, isoWeek := t.ISOWeek()
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	switch tok {
	case "YYYY", "Y":
		return pad(t.Year(), 4)
	case "YY":
		return pad(t.Year()%100, 2)
	case "GGGG":
		return pad(isoYear, 4)
	case "Q":
		return strconv.Itoa((int(t.Month())-1)/3 + 1)
	case "MMMM":
		return t.Month().String()
	case "MMM":
		return t.Month().String()[:3]
	case "MM":
		return pad(int(t.Month()), 2)
	case "M":
		return strconv.Itoa(int(t.Month()))
	case "Mo":
		return ordinal(int(t.Month()))
	case "DDDD":
		return pad(t.YearDay(), 3)
	case "DDD":
		return strconv.Itoa(t.YearDay())
	case "DD":
		return pad(t.Day(), 2)
	case "D":
		return strconv.Itoa(t.Day())
	case "Do":
		return ordinal(t.Day())
	case "dddd":
		return t.Weekday().String()
	case "ddd":
		return t.Weekday().String()[:3]
	case "dd":
		return t.Weekday().String()[:2]
	case "d":
		return strconv.Itoa(int(t.Weekday()))
	case "E":
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1)
	case "WW", "ww":
		return pad(isoWeek, 2)
	case "W", "w":
		return strconv.Itoa(isoWeek)
	case "HH":
		return pad(t.Hour(), 2)
	case "H":
		return strconv.Itoa(t.Hour())
	case "hh":
		return pad(h12, 2)
	case "h":
		return strconv.Itoa(h12)
	case "kk":
		return pad((t.Hour()+23)%24+1, 2)
	case "k":
		return strconv.Itoa((t.Hour()+23)%24 + 1)
	case "mm":
		return pad(t.Minute(), 2)
	case "m":
		return strconv.Itoa(t.Minute())
	case "ss":
		return pad(t.Second(), 2)
	case "s":
		return strconv.Itoa(t.Second())
	case "S", "SS", "SSS", "SSSSSS", "SSSSSSSSS":
		return pad(t.Nanosecond(), 9)[:len(tok)]
	case "A":
		if t.Hour() < 12 {
			return "AM"
		}
		return "PM"
	case "a":
		if t.Hour() < 12 {
			return "am"
		}
		return "pm"
	case "Z":
		return t.Format("-07:00")
	case "ZZ":
		return t.Format("-0700")
	case "X":
		return strconv.FormatInt(t.Unix(), 10)
	case "x":
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return tok
}

func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
