package transform

import "encoding/json"

// Pipeline is the declarative, JSON-serialisable description of a transformation.
// It is also the "pipeline" field of the query model. Decode it with
// ParsePipeline or json.Unmarshal (both are strict: unknown fields are errors).
type Pipeline struct {
	// Name of the output frame; "result" when empty.
	Name string `json:"name,omitempty"`
	// Format of the body: "json" (default), "ndjson", "csv", "xml", "html",
	// or "auto" (sniffed from the content type, then from the bytes).
	Format string `json:"format,omitempty"`
	// Root selects the rows (gjson path syntax, e.g. "data.items" or
	// "series.#.points|@flatten"). Empty means the document itself: an array
	// gives one row per element, anything else one row. For NDJSON it applies
	// to each line. Not allowed for CSV. For XML it is an element path
	// ("//item", see xml_path.go), for HTML a CSS selector ("table#svc tr").
	Root string `json:"root,omitempty"`
	// RootSyntax is "gjson" (the default) or "jq": Root is then a jq program
	// over the whole JSON document whose every output is a row (an object,
	// or an array of objects), e.g. ".data.items[] | select(.active)".
	RootSyntax string `json:"rootSyntax,omitempty"`
	// CSV options; only allowed when Format is "csv" or "auto".
	CSV *CSVOptions `json:"csv,omitempty"`
	// Columns to extract. When empty, columns are inferred from the data.
	Columns []Column `json:"columns,omitempty"`
	// Steps run in order on the extracted table.
	Steps []Step `json:"steps,omitempty"`
	// Shape of the output: "table" (default), "timeseries-long", "timeseries-wide".
	Shape string `json:"shape,omitempty"`
}

// CSVOptions configure the CSV reader.
type CSVOptions struct {
	// Delimiter is a single character; "," when empty.
	Delimiter string `json:"delimiter,omitempty"`
	// Header says whether the first record holds the column names (default true).
	// Without a header, columns are named col1, col2, ...
	Header *bool `json:"header,omitempty"`
	// Comment is a single character starting comment lines; none when empty.
	Comment string `json:"comment,omitempty"`
}

// Column is an explicitly extracted column.
type Column struct {
	// Name of the output field. Required and unique.
	Name string `json:"name"`
	// Selector is a gjson path relative to the row (JSON/NDJSON) or the header
	// name (CSV). Defaults to Name.
	Selector string `json:"selector,omitempty"`
	// Type is one of string, number, boolean, time, json, int64, uint64,
	// duration, enum; empty means inferred.
	Type string `json:"type,omitempty"`
	// TimeFormat for time columns: rfc3339, unix_s, unix_ms, unix_us, unix_ns or a
	// Go layout such as "2006-01-02 15:04". Empty means auto (RFC 3339 and common
	// variants for strings, unit from magnitude for numbers). Implies type time.
	TimeFormat string `json:"timeFormat,omitempty"`
	// Default replaces missing and null values. Must be valid for Type.
	Default any `json:"default,omitempty"`
	// Enum maps values (strings; other values by their JSON text) to numbers
	// for type "enum": {"ok":0,"warn":1,"crit":2}. Unmapped values are null.
	Enum map[string]float64 `json:"enum,omitempty"`
	// Timezone (IANA name, "Europe/Paris") for time values without an offset:
	// a Go layout without a zone, or the zoneless auto forms.
	Timezone string `json:"timezone,omitempty"`
}

// Key is a field reference in sort or groupBy. In JSON it is either a string
// (the field name, ascending) or {"field": "x", "desc": true}.
type Key struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

// MarshalJSON writes the short string form when possible, so pipelines round-trip.
func (k Key) MarshalJSON() ([]byte, error) {
	if !k.Desc {
		return json.Marshal(k.Field)
	}
	type plain Key
	return json.Marshal(plain(k))
}

// UnmarshalJSON accepts both forms, strictly (see decodeKey).
func (k *Key) UnmarshalJSON(b []byte) error {
	v, err := decodeKey(b, "")
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Limits bound the work of one Run. Zero values take the defaults below.
// Time is bounded by the context's deadline.
type Limits struct {
	MaxInputBytes int64 // body size, after decompression
	MaxRows       int   // rows read from the input
	MaxColumns    int   // columns read or inferred from the input
	MaxCells      int64 // rows × columns of any table built, including the wide shape
	// Memory, when set, is charged for what is built from the input as it
	// grows: the decoded body, an HTML page's DOM, grid cells, root
	// suggestions (memory.go). Nil charges nothing.
	Memory Budget
}

// Defaults for zero Limits fields.
const (
	DefaultMaxInputBytes int64 = 64 << 20
	DefaultMaxRows             = 1_000_000
	DefaultMaxColumns          = 1_000
	DefaultMaxCells      int64 = 20_000_000
)

// ColumnTypes lists the declared column types.
func ColumnTypes() []string {
	return []string{TypeString, TypeNumber, TypeBoolean, TypeTime, TypeJSON, TypeInt64, TypeUint64, TypeDuration, TypeEnum}
}

func (l Limits) withDefaults() Limits {
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = DefaultMaxInputBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultMaxColumns
	}
	if l.MaxCells <= 0 {
		l.MaxCells = DefaultMaxCells
	}
	return l
}

// Input is what Run transforms: one body, or the pages a caller read with
// Program.NewPages (pagination; Body is then ignored). Body must not be
// modified while Run uses it; nothing in the result refers to it afterwards.
type Input struct {
	Body            []byte
	ContentType     string // used by format "auto"
	ContentEncoding string // "gzip" is decoded; a gzip body without it is not (read_body.go)
	// Pages, when set, are the rows of several bodies, each read by its
	// format's reader (pages.go); the steps run once over all of them.
	Pages *Pages
}

// Pipeline vocabulary.
const (
	FormatJSON   = "json"
	FormatNDJSON = "ndjson"
	FormatCSV    = "csv"
	FormatXML    = "xml"
	FormatHTML   = "html"
	FormatAuto   = "auto"

	RootSyntaxGJSON = "gjson"
	RootSyntaxJQ    = "jq"

	ShapeTable          = "table"
	ShapeTimeSeriesLong = "timeseries-long"
	ShapeTimeSeriesWide = "timeseries-wide"

	TypeString  = "string"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
	TypeTime    = "time"
	TypeJSON    = "json"
	// Exact integers: int64 / uint64 fields, from JSON numbers or numeric
	// strings, without going through float64.
	TypeInt64  = "int64"
	TypeUint64 = "uint64"
	// Read into numbers: a duration (Grafana's gtime syntax, "1h30m", "2d",
	// or a number of ms) as milliseconds; an enum through Column.Enum.
	TypeDuration = "duration"
	TypeEnum     = "enum"

	StepFilter  = "filter"
	StepCompute = "compute"
	StepRename  = "rename"
	StepSort    = "sort"
	StepLimit   = "limit"
	StepGroupBy = "groupBy"

	defaultFrameName = "result"
)
