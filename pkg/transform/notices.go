package transform

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// maxNotices keeps frame metadata small whatever the input looks like.
const maxNotices = 20

// notices collects the warnings shown with the result (Frame.Meta.Notices).
// Problems with individual values are notices, not errors: one odd value in a
// large response should not blank a dashboard panel.
type notices struct {
	list    []data.Notice
	dropped int
	tallies map[string]*tally
}

// tally is a warning that counts across pages: the first page's render,
// the pages' total.
type tally struct {
	at     int
	total  int
	render func(total int) string
}

// count adds n to the warning key counts (NDJSON lines skipped on each
// page): one notice with the total, worded by the first page's render.
func (n *notices) count(key string, add int, render func(total int) string) {
	if t, ok := n.tallies[key]; ok {
		t.total += add
		n.list[t.at].Text = t.render(t.total)
		return
	}
	if len(n.list) >= maxNotices {
		n.dropped++
		return
	}
	if n.tallies == nil {
		n.tallies = map[string]*tally{}
	}
	n.tallies[key] = &tally{at: len(n.list), total: add, render: render}
	n.list = append(n.list, data.Notice{Severity: data.NoticeSeverityWarning, Text: render(add)})
}

func (n *notices) add(sev data.NoticeSeverity, format string, args ...any) {
	if len(n.list) >= maxNotices {
		n.dropped++
		return
	}
	text := fmt.Sprintf(format, args...)
	for _, o := range n.list {
		if o.Severity == sev && o.Text == text {
			return // the same notice of another page
		}
	}
	n.list = append(n.list, data.Notice{Severity: sev, Text: text})
}

func (n *notices) warn(format string, args ...any) {
	n.add(data.NoticeSeverityWarning, format, args...)
}

func (n *notices) info(format string, args ...any) { n.add(data.NoticeSeverityInfo, format, args...) }

func (n *notices) result() []data.Notice {
	if n.dropped > 0 {
		out := append([]data.Notice(nil), n.list...)
		return append(out, data.Notice{
			Severity: data.NoticeSeverityWarning,
			Text:     fmt.Sprintf("%d more notices were left out", n.dropped),
		})
	}
	return n.list
}
