package migrate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/transform"
)

// UQL, Infinity's pipeline language (browser-only there), becomes Relay's
// pipeline, which runs in the backend — so converted UQL queries are
// alertable. A query is commands joined by "|"; each command is parsed from
// the shared tokens (lex.go) by recursive descent, expressions by expr.go.

// uqlCommand is one command: its name (parse-json, order by, …) and tokens.
type uqlCommand struct {
	name string
	toks []token // the command's arguments, ending in tEOF
	text string  // as written, for messages
}

// splitUQL strips comment lines and splits the query into commands at the
// pipes that are outside parentheses and brackets.
func splitUQL(src string) ([]uqlCommand, error) {
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		lines = append(lines, l)
	}
	text := strings.Join(lines, "\n")
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	var cmds []uqlCommand
	depth, start := 0, 0
	flush := func(end int) error {
		part := toks[start:end]
		if len(part) == 0 {
			return nil
		}
		if part[0].kind != tWord {
			return fmt.Errorf("a command must start with its name, found %s", part[0])
		}
		name := strings.ToLower(part[0].text)
		rest := part[1:]
		if (name == "order" || name == "sort") && len(rest) > 0 && rest[0].kind == tWord && strings.EqualFold(rest[0].text, "by") {
			name, rest = "order by", rest[1:]
		}
		endPos := len(text)
		if end < len(toks) {
			endPos = toks[end].pos
		}
		args := append(append([]token{}, rest...), token{kind: tEOF, pos: endPos})
		cmds = append(cmds, uqlCommand{name: name, toks: args, text: strings.TrimSpace(text[part[0].pos:endPos])})
		return nil
	}
	for i, t := range toks {
		switch {
		case t.kind == tOp && (t.text == "(" || t.text == "["):
			depth++
		case t.kind == tOp && (t.text == ")" || t.text == "]"):
			depth--
		case t.kind == tOp && t.text == "|" && depth == 0, t.kind == tEOF:
			if err := flush(i); err != nil {
				return nil, err
			}
			start = i + 1
		}
	}
	return cmds, nil
}

// uqlConv is the state of a UQL conversion.
type uqlConv struct {
	c       *conv
	typ     string
	steps   int             // commands turned into steps so far
	columns map[string]bool // columns known by their literal names
	kvDone  bool
}

// convertUQL converts a UQL query over the target's data.
func convertUQL(c *conv, src, typ string) {
	cmds, err := splitUQL(src)
	if err != nil {
		c.skip("UQL: %v", err)
		return
	}
	u := &uqlConv{c: c, typ: typ, columns: map[string]bool{}}
	for i, cmd := range cmds {
		if err := u.command(i, cmd); err != nil {
			c.skip("UQL %s: %v", cmd.name, err)
			return
		}
	}
}

func (u *uqlConv) parser(cmd uqlCommand) *exprParser {
	return &exprParser{toks: cmd.toks, mode: modeUQL}
}

// uqlUnsupported names the commands that have no Relay equivalent.
var uqlUnsupported = map[string]string{
	"parse-yaml": "Relay reads JSON, NDJSON, CSV, XML and HTML, not YAML",
	"pivot":      "Relay has no pivot step",
	"jsonata":    "JSONata has no Relay equivalent",
	"distinct":   "use summarize … by instead",
}

func (u *uqlConv) command(i int, cmd uqlCommand) error {
	pl := u.c.pipeline()
	p := u.parser(cmd)
	if why, ok := uqlUnsupported[cmd.name]; ok {
		return fmt.Errorf("%s", why)
	}
	switch cmd.name {
	case "parse-json":
		pl.Format = transform.FormatJSON
		pl.CSV = nil
	case "parse-csv", "parse-tsv":
		pl.Format = transform.FormatCSV
		delim := ","
		if cmd.name == "parse-tsv" || u.typ == "tsv" {
			delim = "\t"
		}
		for p.peek().kind != tEOF {
			t := p.next()
			if t.kind == tOp && t.text == "-" && p.peek().kind == tOp && p.peek().text == "-" {
				p.next()
				opt := p.next()
				val := p.next()
				if opt.kind != tWord || (val.kind != tDQuote && val.kind != tSQuote) {
					return fmt.Errorf("options are --name \"value\"")
				}
				switch strings.ToLower(opt.text) {
				case "delimiter":
					delim = val.text
				case "comment":
					if pl.CSV == nil {
						pl.CSV = &transform.CSVOptions{}
					}
					pl.CSV.Comment = val.text
				default:
					return fmt.Errorf("option --%s has no Relay equivalent", opt.text)
				}
				continue
			}
			return fmt.Errorf("unexpected %s", t)
		}
		if delim != "," {
			if pl.CSV == nil {
				pl.CSV = &transform.CSVOptions{}
			}
			pl.CSV.Delimiter = delim
		}
	case "parse-xml":
		pl.Format = transform.FormatXML
		pl.CSV = nil
	case "scope":
		t := p.next()
		if t.kind != tDQuote || p.peek().kind != tEOF {
			return fmt.Errorf("scope takes one \"path\"")
		}
		if u.steps > 0 || len(pl.Columns) > 0 || pl.RootSyntax == "jq" {
			return fmt.Errorf("scope after other commands has no Relay equivalent (Relay selects the rows once, first)")
		}
		if pl.Format == transform.FormatXML {
			r, err := xmlRoot(t.text)
			if err != nil {
				return err
			}
			pl.Root = r
			return nil
		}
		r, err := lodashToGjson(t.text)
		if err != nil {
			return err
		}
		if pl.Root != "" {
			pl.Root += "." + r
		} else {
			pl.Root = r
		}
	case "project":
		if p.isWord("kv") {
			return u.kv(p)
		}
		return u.project(p)
	case "project-away":
		names, err := u.names(p)
		if err != nil {
			return err
		}
		u.c.addStep(&transform.SelectStep{Drop: names})
		u.steps++
	case "extend":
		items, err := u.assignments(p, true)
		if err != nil {
			return err
		}
		for _, it := range items {
			e, err := it.value.emit(u.ctx())
			if err != nil {
				return err
			}
			u.c.addStep(&transform.ComputeStep{Name: it.name, Expr: trimOuter(e)})
			u.columns[it.name] = true
			u.steps++
		}
	case "where":
		n, err := p.expr()
		if err != nil {
			return err
		}
		if p.peek().kind != tEOF {
			return fmt.Errorf("unexpected %s", p.peek())
		}
		e, err := n.emit(u.ctx())
		if err != nil {
			return err
		}
		u.c.addStep(&transform.FilterStep{Expr: trimOuter(e)})
		u.steps++
	case "order by":
		var keys []transform.Key
		for {
			t := p.next()
			if t.kind != tDQuote {
				return fmt.Errorf("order by takes \"field\" asc|desc, …")
			}
			k := transform.Key{Field: t.text}
			switch {
			case p.isWord("desc"):
				p.next()
				k.Desc = true
			case p.isWord("asc"):
				p.next()
			default:
				u.c.note("order by %q without asc or desc: ascending", t.text)
			}
			keys = append(keys, k)
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		if p.peek().kind != tEOF {
			return fmt.Errorf("unexpected %s", p.peek())
		}
		u.c.addStep(&transform.SortStep{By: keys})
		u.steps++
	case "limit", "take":
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tNumber || err != nil || n < 1 || p.peek().kind != tEOF {
			return fmt.Errorf("limit takes a positive whole number")
		}
		u.c.addStep(&transform.LimitStep{Count: n})
		u.steps++
	case "count":
		if p.peek().kind != tEOF {
			return fmt.Errorf("count takes no arguments")
		}
		u.c.addStep(&transform.GroupByStep{Aggregates: []transform.Aggregate{{Op: "count", As: "count"}}})
		u.columns = map[string]bool{"count": true}
		u.steps++
	case "summarize":
		return u.summarize(p)
	case "mv-expand":
		items, err := u.assignments(p, false)
		if err != nil {
			return err
		}
		if len(items) != 1 {
			return fmt.Errorf("mv-expand takes one \"column\" or \"new\"=\"column\"")
		}
		f, ok := items[0].value.(*nField)
		if !ok || len(f.path) != 1 && !u.columns[strings.Join(f.path, ".")] {
			return fmt.Errorf("mv-expand takes a top-level column")
		}
		src := strings.Join(f.path, ".")
		s := &transform.ExpandStep{Field: src}
		if items[0].name != src {
			s.As = items[0].name
		}
		u.c.addStep(s)
		delete(u.columns, src)
		u.columns[items[0].name] = true
		u.steps++
	default:
		return fmt.Errorf("the %s command has no Relay equivalent", cmd.name)
	}
	return nil
}

func (u *uqlConv) ctx() *exprCtx { return &exprCtx{columns: u.columns} }

func trimOuter(s string) string {
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 && i < len(s)-1 {
					return s
				}
			case '"':
				for i++; i < len(s) && s[i] != '"'; i++ {
					if s[i] == '\\' {
						i++
					}
				}
			}
		}
		return s[1 : len(s)-1]
	}
	return s
}
