package migrate

import (
	"encoding/json"
	"strings"
)

// infinityVariable reads an Infinity variable query — {queryType: infinity,
// infinityQuery, meta: {textField, valueField}}, or a legacy query such as
// Collection(Label,value,…) — into the target to convert (c.variableTarget)
// and the options' field mapping (c.variableMap).
func infinityVariable(c *conv, v map[string]any) bool {
	qt := str(v["queryType"])
	legacy := str(v["query"])
	if iq, ok := v["infinityQuery"].(map[string]any); ok && (qt == "infinity" || qt == "" || qt == "legacy" && strings.TrimSpace(legacy) == "") {
		c.variableTarget = iq
		m := map[string]any{}
		if meta, ok := v["meta"].(map[string]any); ok {
			if s := str(meta["textField"]); s != "" {
				m["text"] = s
			}
			if s := str(meta["valueField"]); s != "" {
				m["value"] = s
			}
		}
		c.variableMap = m
		return true
	}
	if qt == "random" {
		c.typ = "random"
		c.skip("random variables (a value picked at random) have no Relay equivalent; use a custom variable")
		return false
	}
	if _, ok := v["type"]; ok && qt == "" && legacy == "" {
		c.variableTarget, c.variableMap = v, map[string]any{} // a bare Infinity query used as a variable
		return true
	}
	c.typ = "legacy"
	call := strings.TrimSpace(legacy)
	name, args, ok := legacyCall(call)
	if !ok || name != "collection" {
		c.skip("legacy variable query %q has no Relay equivalent (only Collection(…) converts)", call)
		return false
	}
	if len(args)%2 != 0 {
		c.skip("Collection(…) needs label, value pairs")
		return false
	}
	rows := make([]map[string]string, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		rows = append(rows, map[string]string{"text": args[i], "value": args[i+1]})
	}
	data, _ := json.Marshal(rows)
	c.variableTarget = map[string]any{"type": "json", "source": "inline", "data": string(data)}
	c.variableMap = map[string]any{"text": "text", "value": "value"}
	return true
}

// legacyCall splits Name(a,b,c) into its lower-cased name and arguments.
func legacyCall(s string) (string, []string, bool) {
	i := strings.IndexByte(s, '(')
	if i <= 0 || !strings.HasSuffix(s, ")") {
		return "", nil, false
	}
	var args []string
	for _, a := range strings.Split(s[i+1:len(s)-1], ",") {
		args = append(args, strings.TrimSpace(a))
	}
	return strings.ToLower(strings.TrimSpace(s[:i])), args, true
}
