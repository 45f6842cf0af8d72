package transform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// Bounds on the pipeline itself, so a pipeline cannot be a denial of service
// before any data is read.
const (
	maxPipelineColumns = 1000
	maxPipelineSteps   = 100
	maxExprLen         = 4096
	maxNameLen         = 256
	maxSelectorLen     = 1024
	maxEnumValues      = 10000
)

// Validate checks the pipeline without data. With explicit columns it also
// follows the columns through the steps, so unknown field names and type
// errors in expressions are reported here; with inferred columns those checks
// happen at Run, once the columns are known. The error is a *ValidationError.
func (p *Pipeline) Validate() error {
	if err := p.validateStructure(); err != nil {
		return err
	}
	if len(p.Columns) > 0 {
		if _, err := planSteps(p, staticSchema(p)); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) validateStructure() *ValidationError {
	reader := formatReaderOf(p.Format) // nil for auto
	if reader == nil && p.Format != FormatAuto {
		return verr("format", "unknown format %q (one of %s)", p.Format, strings.Join(Formats(), ", "))
	}
	switch p.Shape {
	case "", ShapeTable, ShapeTimeSeriesLong, ShapeTimeSeriesWide:
	default:
		return verr("shape", "unknown shape %q (one of table, timeseries-long, timeseries-wide)", p.Shape)
	}
	if len(p.Name) > maxNameLen {
		return verr("name", "longer than %d characters", maxNameLen)
	}
	if len(p.Root) > maxSelectorLen {
		return verr("root", "longer than %d characters", maxSelectorLen)
	}
	if p.Root != "" && reader != nil && reader.checkRoot == nil {
		return verr("root", "not used by format %q", reader.name)
	}
	if err := p.checkPaths(); err != nil {
		return err
	}
	if p.CSV != nil {
		if reader != nil && !reader.csvOptions {
			return verr("csv", "only allowed with format %s", formatsWith(func(r *formatReader) bool { return r.csvOptions }, true))
		}
		if err := p.CSV.validate(); err != nil {
			return err
		}
	}
	if len(p.Columns) > maxPipelineColumns {
		return verr("columns", "more than %d columns", maxPipelineColumns)
	}
	seen := make(map[string]int, len(p.Columns))
	for i, c := range p.Columns {
		path := fmt.Sprintf("columns[%d]", i)
		if err := c.validate(path); err != nil {
			return err
		}
		if j, dup := seen[c.Name]; dup {
			return verr(path+".name", "duplicate column name %q (also columns[%d])", c.Name, j)
		}
		seen[c.Name] = i
	}
	if len(p.Steps) > maxPipelineSteps {
		return verr("steps", "more than %d steps", maxPipelineSteps)
	}
	for i, s := range p.Steps {
		path := fmt.Sprintf("steps[%d]", i)
		if s == nil {
			return verr(path, "must be an object")
		}
		if err := s.validate(path); err != nil {
			return err
		}
	}
	return nil
}

// checkPaths checks the paths the pipeline evaluates: the root (a gjson
// path, see CheckPath; an XML path for xml, a CSS selector for html; any of
// them for auto, whose format is known only with the body), and each
// column's selector (its name when it has none) as a gjson path, unless the
// format is CSV (header names) or HTML (CSS selectors).
func (p *Pipeline) checkPaths() *ValidationError {
	reader := formatReaderOf(p.Format) // nil for auto
	switch p.RootSyntax {
	case "", RootSyntaxGJSON:
	case RootSyntaxJQ:
		if reader != nil && !reader.jqRoot {
			return verr("rootSyntax", "\"jq\" reads a JSON document: only with format %s", formatsWith(func(r *formatReader) bool { return r.jqRoot }, false))
		}
		if p.Root == "" {
			return verr("root", "required with rootSyntax \"jq\" (e.g. .data.items[])")
		}
		if _, err := compileJQ(p.Root, "root"); err != nil {
			return err
		}
		return p.checkColumnPaths()
	default:
		return verr("rootSyntax", "unknown root syntax %q (gjson or jq)", p.RootSyntax)
	}
	if reader == nil {
		// auto: the format is known only with the body, so a root any
		// reader accepts will do; the first reader's error is the one shown.
		var first *ValidationError
		for _, r := range formatReaders {
			if r.checkRoot == nil {
				continue
			}
			err := r.checkRoot(p.Root)
			if err == nil {
				first = nil
				break
			}
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return first
		}
		return p.checkColumnPaths()
	}
	if reader.checkRoot != nil {
		if err := reader.checkRoot(p.Root); err != nil {
			return err
		}
	}
	if !reader.gjsonColumns {
		return nil
	}
	return p.checkColumnPaths()
}

// formatsWith names the formats a pipeline feature applies to, and auto:
// "json or auto", "csv or auto".
func formatsWith(has func(*formatReader) bool, quoted bool) string {
	var names []string
	for _, r := range append(slices.Clone(formatReaders), &formatReader{name: FormatAuto}) {
		if r.name == FormatAuto || has(r) {
			if quoted {
				names = append(names, strconv.Quote(r.name))
			} else {
				names = append(names, r.name)
			}
		}
	}
	return strings.Join(names, " or ")
}

func (p *Pipeline) checkColumnPaths() *ValidationError {
	for i, c := range p.Columns {
		field, sel := fmt.Sprintf("columns[%d].selector", i), c.Selector
		if sel == "" {
			field, sel = fmt.Sprintf("columns[%d].name", i), c.Name
		}
		if err := checkPathAt(field, sel); err != nil {
			return err
		}
	}
	return nil
}

func (o *CSVOptions) validate() *ValidationError {
	check := func(field, v string) *ValidationError {
		if v == "" {
			return nil
		}
		r, n := utf8.DecodeRuneInString(v)
		if n != len(v) || r == utf8.RuneError {
			return verr("csv."+field, "must be a single character")
		}
		if r == '\r' || r == '\n' || r == '"' {
			return verr("csv."+field, "cannot be a quote or line break")
		}
		return nil
	}
	if err := check("delimiter", o.Delimiter); err != nil {
		return err
	}
	if err := check("comment", o.Comment); err != nil {
		return err
	}
	if o.Comment != "" && o.Comment == o.delimiter() {
		return verr("csv.comment", "must differ from the delimiter")
	}
	return nil
}

func (o *CSVOptions) delimiter() string {
	if o == nil || o.Delimiter == "" {
		return ","
	}
	return o.Delimiter
}

func (c Column) validate(path string) *ValidationError {
	if c.Name == "" {
		return verr(path+".name", "required")
	}
	if len(c.Name) > maxNameLen {
		return verr(path+".name", "longer than %d characters", maxNameLen)
	}
	if len(c.Selector) > maxSelectorLen {
		return verr(path+".selector", "longer than %d characters", maxSelectorLen)
	}
	typ, ok := parseColType(c.Type)
	if !ok {
		return verr(path+".type", "unknown type %q (one of string, number, boolean, time, json, int64, uint64, duration, enum)", c.Type)
	}
	if c.Type == TypeEnum && len(c.Enum) == 0 {
		return verr(path+".enum", "required for type \"enum\": an object mapping values to numbers, e.g. {\"ok\":0,\"warn\":1}")
	}
	if len(c.Enum) > 0 && c.Type != TypeEnum {
		return verr(path+".enum", "only allowed for type \"enum\"")
	}
	if len(c.Enum) > maxEnumValues {
		return verr(path+".enum", "more than %d values", maxEnumValues)
	}
	if c.Timezone != "" {
		if typ != tUnknown && typ != tTime {
			return verr(path+".timezone", "only allowed for type \"time\"")
		}
		if c.Timezone == "Local" || len(c.Timezone) > 64 {
			return verr(path+".timezone", "unknown time zone %q (an IANA name such as \"Europe/Paris\" or \"UTC\")", c.Timezone)
		}
		if _, err := loadZone(c.Timezone); err != nil {
			return verr(path+".timezone", "unknown time zone %q (an IANA name such as \"Europe/Paris\" or \"UTC\")", c.Timezone)
		}
	}
	if c.TimeFormat != "" {
		if typ != tUnknown && typ != tTime {
			return verr(path+".timeFormat", "only allowed for type \"time\"")
		}
		if _, ok := parseTimeFormat(c.TimeFormat); !ok {
			return verr(path+".timeFormat", "unknown time format %q (rfc3339, unix_s, unix_ms, unix_us, unix_ns or a Go layout like \"2006-01-02 15:04:05\")", c.TimeFormat)
		}
	}
	if c.Default != nil {
		if typ == tUnknown && c.TimeFormat == "" {
			return verr(path+".default", "requires an explicit type")
		}
		if _, ok := c.defaultValue(); !ok {
			return verr(path+".default", "not a valid %s value", c.colType())
		}
	}
	return nil
}

// colType is the column's declared type; a time format implies type time.
func (c Column) colType() colType {
	t, _ := parseColType(c.Type)
	if t == tUnknown && (c.TimeFormat != "" || c.Timezone != "") {
		return tTime
	}
	return t
}

// parseInterval parses a time bucket interval with the SDK's gtime, the
// grammar Grafana uses for intervals: Go durations plus whole days, weeks,
// months and years ("1d", "2w"). Date units take at most 5 digits, so the
// duration cannot overflow.
func parseInterval(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("required")
	}
	invalid := fmt.Errorf("invalid interval %q (e.g. 30s, 5m, 1h, 1d, 1w)", s)
	if n := len(s); strings.IndexByte("dwMy", s[n-1]) >= 0 && n-1 > 5 {
		return 0, invalid
	}
	d, err := gtime.ParseDuration(s)
	if err != nil {
		return 0, invalid
	}
	if d < time.Millisecond {
		return 0, fmt.Errorf("interval %q must be at least 1ms", s)
	}
	return d, nil
}
