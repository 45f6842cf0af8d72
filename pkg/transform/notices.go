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
}

func (n *notices) add(sev data.NoticeSeverity, format string, args ...any) {
	if len(n.list) >= maxNotices {
		n.dropped++
		return
	}
	n.list = append(n.list, data.Notice{Severity: sev, Text: fmt.Sprintf(format, args...)})
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
