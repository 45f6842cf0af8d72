package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Non-JSON bodies for the pipeline's CSV and NDJSON parsers, and a gzip body for its decompression.

const exportRows = 100

// exportNote gives some rows text that needs CSV quoting under either delimiter.
func exportNote(id int) string {
	switch {
	case id%20 == 0:
		return `multi-word, "quoted"; note`
	case id%7 == 0:
		return "restock soon"
	default:
		return ""
	}
}

// GET /api/export.csv?delimiter=; → a header row and the first 100 seeded items (seeded, not the live store, so the
// export stays byte-for-byte stable while other tests mutate items). Null ratings are empty cells.
func (s *server) exportCSV(w http.ResponseWriter, r *http.Request) {
	delim := ','
	if d := rawQueryValue(r.URL.RawQuery, "delimiter"); d != "" {
		c, size := utf8.DecodeRuneInString(d)
		if size != len(d) || (c != ',' && c != ';' && c != '\t' && c != '|') {
			badRequest(w, &paramError{name: "delimiter", msg: `must be one of "," ";" "|" or a tab`})
			return
		}
		delim = c
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Comma = delim
	cw.Write([]string{"id", "name", "category", "price", "in_stock", "created_at", "rating", "note"})
	for id := 1; id <= exportRows; id++ {
		it := seedItem(id)
		rating := ""
		if it.Rating != nil {
			rating = strconv.FormatFloat(*it.Rating, 'f', -1, 64)
		}
		cw.Write([]string{strconv.Itoa(it.ID), it.Name, it.Category, strconv.FormatFloat(it.Price, 'f', -1, 64),
			strconv.FormatBool(it.InStock), it.CreatedAt.Format(time.RFC3339), rating, exportNote(id)})
	}
	cw.Flush() // errors only come from the writer, a bytes.Buffer
	w.Header().Set("Content-Disposition", `attachment; filename="export.csv"`)
	writeNegotiated(w, r, http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// rawQueryValue finds key in a raw query split on "&" only. url.ParseQuery rejects a literal ";" (the old
// alternative separator), and clients do send "?delimiter=;" unencoded.
func rawQueryValue(rawQuery, key string) string {
	for pair := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			return u
		}
		return v
	}
	return ""
}

const eventCount = 100

var (
	eventLevels   = []string{"info", "info", "info", "warn", "error"}
	eventServices = []string{"checkout", "search", "auth", "catalog"}
	eventMessages = []string{"request served", "cache miss", "slow query", "retrying upstream", "request failed"}
)

// event is one NDJSON line. "user" appears on every third line only: real logs drift in schema.
type event struct {
	Time       string `json:"time"`
	TS         int64  `json:"ts"`
	Level      string `json:"level"`
	Service    string `json:"service"`
	Message    string `json:"message"`
	DurationMS int    `json:"duration_ms"`
	Status     int    `json:"status"`
	User       string `json:"user,omitempty"`
}

func eventAt(i int) event {
	ts := itemsEpoch.Add(time.Duration(i) * 37 * time.Second).UnixMilli()
	level := eventLevels[i%len(eventLevels)]
	status := 200
	switch level {
	case "warn":
		status = 429
	case "error":
		status = 502
	}
	ev := event{Time: formatMillis(ts), TS: ts, Level: level, Service: eventServices[i%len(eventServices)],
		Message: eventMessages[i%len(eventMessages)], DurationMS: 5 + (i*97)%900, Status: status}
	if i%3 == 0 {
		ev.User = "user-" + strconv.Itoa(1+i%7)
	}
	return ev
}

// GET /api/events.ndjson → 100 JSON objects, one per line.
func (s *server) eventsNDJSON(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // Encode ends each value with "\n"
	for i := range eventCount {
		if err := enc.Encode(eventAt(i)); err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "internal server error")
			return
		}
	}
	writeNegotiated(w, r, http.StatusOK, "application/x-ndjson", buf.Bytes())
}

// GET /api/items.json.gz → every item as a JSON array, always gzip-compressed with Content-Encoding: gzip, whatever
// Accept-Encoding says, like a static pre-compressed file: the client must cope with an encoding it did not ask for.
func (s *server) itemsGzip(w http.ResponseWriter, r *http.Request) {
	body, err := encodeJSON(s.items.list(""))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "internal server error")
		return
	}
	writeGzip(w, http.StatusOK, contentTypeJSON, body)
}
