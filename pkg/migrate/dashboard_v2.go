package migrate

// Schema v2: panels are elements with a query group; each query is a
// DataQuery {kind, group (the plugin id), datasource {name: uid}, spec}.
func (w *walker) walkV2(dash map[string]any) {
	if els, ok := dash["elements"].(map[string]any); ok {
		for _, key := range sortedKeys(els) {
			el, ok := els[key].(map[string]any)
			if !ok || str(el["kind"]) != "Panel" {
				continue
			}
			spec, _ := el["spec"].(map[string]any)
			if spec == nil {
				continue
			}
			name := str(spec["title"])
			if name == "" {
				name = key
			}
			data, _ := spec["data"].(map[string]any)
			dspec, _ := data["spec"].(map[string]any)
			queries, _ := dspec["queries"].([]any)
			for _, pq := range queries {
				pqm, _ := pq.(map[string]any)
				pspec, _ := pqm["spec"].(map[string]any)
				if pspec == nil {
					continue
				}
				w.convertV2(name, pspec, usePanel, str(pspec["refId"]))
			}
		}
	}
	if vars, ok := dash["variables"].([]any); ok {
		for _, v := range vars {
			vm, _ := v.(map[string]any)
			if str(vm["kind"]) != "QueryVariable" {
				continue
			}
			if spec, ok := vm["spec"].(map[string]any); ok {
				w.convertV2("variable "+str(spec["name"]), spec, useVariable, "variable")
			}
		}
	}
	if ans, ok := dash["annotations"].([]any); ok {
		for _, a := range ans {
			am, _ := a.(map[string]any)
			if spec, ok := am["spec"].(map[string]any); ok {
				w.convertV2("annotation "+str(spec["name"]), spec, useAnnotation, "Anno")
			}
		}
	}
}

// convertV2 converts the query of a v2 holder (PanelQuery, QueryVariable or
// AnnotationQuery spec) in place.
func (w *walker) convertV2(name string, holder map[string]any, use targetUse, defaultRef string) {
	dq, ok := holder["query"].(map[string]any)
	if !ok {
		return
	}
	ref := dsRef{typ: str(dq["group"])}
	if ds, ok := dq["datasource"].(map[string]any); ok {
		ref.uid = str(ds["name"])
	}
	if ref.typ == "" && str(dq["kind"]) != "DataQuery" {
		ref.typ = str(dq["kind"]) // an earlier v2: kind is the plugin id
	}
	if hr := refOf(holder["datasource"]); hr.uid != "" {
		ref.uid = hr.uid
		if ref.typ == "" {
			ref.typ = hr.typ
		}
	}
	spec, _ := dq["spec"].(map[string]any)
	if spec == nil {
		return
	}
	kind := w.sourceKind(ref, spec)
	if kind == "" {
		return
	}
	if str(spec["refId"]) == "" {
		refID := str(holder["refId"])
		if refID == "" {
			refID = defaultRef
		}
		spec["refId"] = refID
	}
	out, uid, ok := w.convertOne(name, kind, ref, spec, use)
	if !ok {
		return
	}
	t := relayTarget(spec, out, uid)
	delete(t, "datasource")
	delete(t, "refId")
	delete(t, "hide")
	dq["spec"] = t
	if str(dq["kind"]) == "DataQuery" || dq["group"] != nil {
		dq["group"] = PluginRelay
		dq["version"] = "v0"
		dq["datasource"] = map[string]any{"name": uid}
	} else {
		dq["kind"] = PluginRelay
	}
	if _, ok := holder["datasource"]; ok {
		holder["datasource"] = relayRef(uid)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
