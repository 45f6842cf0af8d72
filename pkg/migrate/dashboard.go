package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Options of a dashboard conversion.
type Options struct {
	// Datasources maps an old data source (uid, or name for old dashboards)
	// to the Relay data source's uid.
	Datasources map[string]string
	// Sources are the old data sources' settings (--datasource-config):
	// reference data, URLs and allowed hosts.
	Sources []*Source
}

// ConvertDashboard converts the Infinity and JSON API targets of a dashboard
// (plain, or the API's {"dashboard": …} wrapper; classic or schema v2) and
// reports on each. Everything else is left as it was.
func ConvertDashboard(raw []byte, opts Options) ([]byte, Report, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("the dashboard is not valid JSON: %v", err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("the dashboard is not a JSON object")
	}
	dash := root
	if inner, ok := root["dashboard"].(map[string]any); ok {
		dash = inner
	}
	if spec, ok := dash["spec"].(map[string]any); ok && str(dash["kind"]) == "Dashboard" { // v2 as the API serves it
		dash = spec
	}
	w := &walker{opts: opts, dashboard: str(dash["title"])}
	if w.dashboard == "" {
		w.dashboard = str(dash["uid"])
	}
	if _, v2 := dash["elements"]; v2 {
		w.walkV2(dash)
	} else {
		w.walkClassic(dash)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), w.report, nil
}

type walker struct {
	opts      Options
	dashboard string
	report    Report
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// dsRef is a data source reference: {type, uid}, a name or uid string, or nothing.
type dsRef struct{ typ, uid string }

func refOf(v any) dsRef {
	switch x := v.(type) {
	case map[string]any:
		r := dsRef{typ: str(x["type"]), uid: str(x["uid"])}
		if r.uid == "" {
			r.uid = str(x["name"])
		}
		return r
	case string:
		return dsRef{uid: x}
	}
	return dsRef{}
}

// sourceKind says which plugin a reference (or, failing that, the target's
// shape) belongs to: PluginInfinity, PluginJSONAPI or "".
func (w *walker) sourceKind(ref dsRef, target map[string]any) string {
	switch ref.typ {
	case PluginInfinity, PluginJSONAPI:
		return ref.typ
	case "":
	default:
		return ""
	}
	if s := w.source(ref.uid); s != nil && (s.Type == PluginInfinity || s.Type == PluginJSONAPI) {
		return s.Type
	}
	if ref.uid == "" || w.mapped(ref.uid) == "" || target == nil {
		return ""
	}
	// A mapped uid without a type: recognise the target by its fields.
	if _, ok := target["urlPath"]; ok {
		return PluginJSONAPI
	}
	if _, ok := target["fields"]; ok {
		return PluginJSONAPI
	}
	for _, k := range []string{"url_options", "root_selector", "uql", "source", "parser", "infinityQuery", "queryType"} {
		if _, ok := target[k]; ok {
			return PluginInfinity
		}
	}
	return ""
}

func (w *walker) mapped(uid string) string {
	if v, ok := w.opts.Datasources[uid]; ok {
		return v
	}
	trimmed := strings.TrimSuffix(strings.TrimPrefix(uid, "${"), "}")
	return w.opts.Datasources[trimmed]
}

func (w *walker) source(uid string) *Source {
	for _, s := range w.opts.Sources {
		if uid != "" && (s.UID == uid || s.Name == uid) {
			return s
		}
	}
	if len(w.opts.Sources) == 1 && uid == "" {
		return w.opts.Sources[0]
	}
	return nil
}

// convertOne converts a target of a known source plugin into a Relay
// query (without refId and datasource) and adds its report entry.
func (w *walker) convertOne(panel, kind string, ref dsRef, target map[string]any, use targetUse) (map[string]any, string, bool) {
	refID := str(target["refId"])
	var c *conv
	newUID := w.mapped(ref.uid)
	src := w.source(ref.uid)
	if ref.uid == "" && len(w.opts.Datasources) == 1 {
		for _, v := range w.opts.Datasources {
			newUID = v // the dashboard's default data source, and one mapping given
		}
	}
	c = convertTarget(kind, target, src, use)
	if c.status != Skipped && newUID == "" {
		c.status, c.reason = Skipped, fmt.Sprintf("no --datasource mapping for data source %q", ref.uid)
	}
	e := Entry{Dashboard: w.dashboard, Panel: panel, RefID: refID, Type: c.typ, Status: c.status, Reason: c.reason, Notes: c.notes}
	if e.Notes == nil {
		e.Notes = []string{}
	}
	w.report = append(w.report, e)
	if c.status == Skipped {
		return nil, "", false
	}
	return c.q, newUID, true
}

// targetUse is where a target sits: its conversion differs slightly (a
// variable maps its fields to options, an annotation to events).
type targetUse int

const (
	usePanel targetUse = iota
	useVariable
	useAnnotation
)

func relayRef(uid string) map[string]any {
	return map[string]any{"type": PluginRelay, "uid": uid}
}

// relayTarget is a classic target: the converted query with the target's
// refId, hide and the Relay data source.
func relayTarget(old map[string]any, q map[string]any, uid string) map[string]any {
	t := map[string]any{}
	for k, v := range q {
		t[k] = v
	}
	if v, ok := old["refId"]; ok {
		t["refId"] = v
	}
	if v, ok := old["hide"]; ok {
		t["hide"] = v
	}
	t["datasource"] = relayRef(uid)
	return t
}

func (w *walker) walkClassic(dash map[string]any) {
	if panels, ok := dash["panels"].([]any); ok {
		w.walkPanels(panels)
	}
	if rows, ok := dash["rows"].([]any); ok { // schemaVersion < 16
		for _, r := range rows {
			if row, ok := r.(map[string]any); ok {
				if panels, ok := row["panels"].([]any); ok {
					w.walkPanels(panels)
				}
			}
		}
	}
	if tpl, ok := dash["templating"].(map[string]any); ok {
		if list, ok := tpl["list"].([]any); ok {
			for _, v := range list {
				if vr, ok := v.(map[string]any); ok {
					w.walkVariable(vr)
				}
			}
		}
	}
	if an, ok := dash["annotations"].(map[string]any); ok {
		if list, ok := an["list"].([]any); ok {
			for _, v := range list {
				if a, ok := v.(map[string]any); ok {
					w.walkAnnotation(a)
				}
			}
		}
	}
}

func (w *walker) walkPanels(panels []any) {
	for _, p := range panels {
		panel, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if nested, ok := panel["panels"].([]any); ok { // a collapsed row keeps its panels
			w.walkPanels(nested)
		}
		if _, lib := panel["libraryPanel"]; lib {
			continue // library panels are converted where they are defined
		}
		w.walkPanel(panel)
	}
}

func panelName(panel map[string]any) string {
	title := str(panel["title"])
	if title == "" {
		title = "panel " + str(panel["id"])
	}
	return title
}

func (w *walker) walkPanel(panel map[string]any) {
	targets, ok := panel["targets"].([]any)
	if !ok {
		return
	}
	pref := refOf(panel["datasource"])
	name := panelName(panel)
	converted, kept := 0, 0
	var lastUID string
	for i, t := range targets {
		target, ok := t.(map[string]any)
		if !ok {
			kept++
			continue
		}
		ref := pref
		if tr := refOf(target["datasource"]); tr.uid != "" || tr.typ != "" {
			ref = tr
		}
		kind := w.sourceKind(ref, target)
		if kind == "" {
			kept++
			continue
		}
		q, uid, ok := w.convertOne(name, kind, ref, target, usePanel)
		if !ok {
			kept++
			continue
		}
		targets[i] = relayTarget(target, q, uid)
		converted++
		if lastUID != "" && lastUID != uid {
			kept++ // two Relay data sources: the panel is mixed
		}
		lastUID = uid
	}
	switch {
	case converted > 0 && kept == 0:
		panel["datasource"] = relayRef(lastUID)
	case converted > 0:
		// A mixed panel: targets that took the panel's data source keep it as their own.
		if _, has := panel["datasource"]; has && (pref.uid != "" || pref.typ != "") {
			for _, t := range targets {
				if tm, ok := t.(map[string]any); ok {
					if _, own := tm["datasource"]; !own {
						tm["datasource"] = panel["datasource"]
					}
				}
			}
		}
		panel["datasource"] = map[string]any{"type": "datasource", "uid": "-- Mixed --"}
	}
}

func (w *walker) walkVariable(v map[string]any) {
	if str(v["type"]) != "query" {
		return
	}
	ref := refOf(v["datasource"])
	q, isObj := v["query"].(map[string]any)
	if !isObj {
		q = map[string]any{"query": v["query"]}
	}
	kind := w.sourceKind(ref, q)
	if kind == "" {
		return
	}
	if str(q["refId"]) == "" {
		q["refId"] = "variable"
	}
	out, uid, ok := w.convertOne("variable "+str(v["name"]), kind, ref, q, useVariable)
	if !ok {
		return
	}
	t := relayTarget(q, out, uid)
	delete(t, "datasource")
	v["query"] = t
	v["datasource"] = relayRef(uid)
	delete(v, "definition") // the source's summary of its query; Grafana rebuilds it
}

func (w *walker) walkAnnotation(a map[string]any) {
	ref := refOf(a["datasource"])
	target, ok := a["target"].(map[string]any)
	if !ok {
		return
	}
	kind := w.sourceKind(ref, target)
	if kind == "" {
		return
	}
	if str(target["refId"]) == "" {
		target["refId"] = "Anno"
	}
	out, uid, ok := w.convertOne("annotation "+str(a["name"]), kind, ref, target, useAnnotation)
	if !ok {
		return
	}
	t := relayTarget(target, out, uid)
	delete(t, "datasource")
	a["target"] = t
	a["datasource"] = relayRef(uid)
}
