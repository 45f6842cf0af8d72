package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// playground is the page at / : the plugin's shipped frontend (dist/module.js, loaded as Grafana loads it) inside
// a small shell that provides what Grafana provides (React, @grafana/ui, data and runtime, the backend service).
type playground struct {
	frontendDir string         // the plugin's build: module.js, plugin.json, img/
	shellDir    string         // the shell's build: playground.js, img/ (icons), fonts/
	pluginMeta  map[string]any // plugin.json, as Grafana hands it to the frontend
}

func loadPlayground(frontendDir, shellDir, pluginID string) (*playground, error) {
	for _, f := range []string{filepath.Join(frontendDir, "module.js"), filepath.Join(shellDir, "playground.js")} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("playground: %w (build the frontend: npm run build && npm run build:playground)", err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(frontendDir, "plugin.json"))
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	var meta map[string]any
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("playground: plugin.json: %w", err)
	}
	if meta["id"] != pluginID {
		return nil, fmt.Errorf("playground: %s/plugin.json has id %v, want %s", frontendDir, meta["id"], pluginID)
	}
	base := "public/plugins/" + pluginID
	meta["module"], meta["baseUrl"] = base+"/module.js", base
	return &playground{frontendDir: frontendDir, shellDir: shellDir, pluginMeta: meta}, nil
}

// routePlayground serves the page and the static files it needs at Grafana's paths. Without a playground, / stays
// a JSON 404 that says how to get one.
func (s *server) routePlayground(mux *http.ServeMux) {
	page := func(w http.ResponseWriter, r *http.Request) {
		if s.playground == nil {
			writeJSONError(w, http.StatusNotFound, "Not found: start the dev host with -frontend and -playground for the playground (cmd/devhost/README.md)")
			return
		}
		s.servePlaygroundPage(w, r)
	}
	mux.HandleFunc("GET /{$}", page)
	mux.HandleFunc("GET /login", page)
	if s.playground == nil {
		return
	}
	mux.Handle("GET /public/plugins/"+s.cfg.pluginID+"/", staticFiles("/public/plugins/"+s.cfg.pluginID+"/", s.playground.frontendDir))
	mux.Handle("GET /public/build/", staticFiles("/public/build/", s.playground.shellDir))
	mux.Handle("GET /public/fonts/", staticFiles("/public/fonts/", filepath.Join(s.playground.shellDir, "fonts")))
}

// staticFiles serves the files under dir (os.DirFS refuses paths that leave it), without directory listings.
func staticFiles(prefix, dir string) http.Handler {
	files := http.StripPrefix(prefix, http.FileServerFS(os.DirFS(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			writeJSONError(w, http.StatusNotFound, "Not found")
			return
		}
		files.ServeHTTP(w, r)
	})
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Relay playground</title>
<link rel="icon" href="/public/plugins/{{.PluginID}}/img/logo.svg">
<script>window.grafanaBootData = {{.BootData}};</script>
</head>
<body>
<div id="root"></div>
<script src="/public/build/playground.js"></script>
</body>
</html>
`))

// servePlaygroundPage renders the shell with Grafana's boot data for the signed-in user (or none): the user and
// role, and the org's data sources as instance settings (what Grafana's frontend knows without asking).
func (s *server) servePlaygroundPage(w http.ResponseWriter, r *http.Request) {
	u := s.sessions.lookup(r)
	if u == nil && r.URL.Path != "/login" {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	if u != nil && r.URL.Path == "/login" {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	boot, err := json.Marshal(s.bootData(u))
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// json.Marshal escapes <, > and &, so the data cannot end the script element; template.JS keeps it as is.
	_ = pageTemplate.Execute(w, map[string]any{"PluginID": s.cfg.pluginID, "BootData": template.JS(boot)}) //nolint:gosec // escaped JSON
}

// bootData is the part of Grafana's window.grafanaBootData that @grafana/runtime's config and the shell read.
func (s *server) bootData(u *user) map[string]any {
	bootUser := map[string]any{"isSignedIn": false, "theme": "dark", "orgRole": "", "login": "", "timezone": "browser"}
	datasources := map[string]any{}
	defaultName := ""
	if u != nil {
		bootUser = map[string]any{
			"isSignedIn": true, "id": s.users.id(u), "login": u.Login, "name": u.Name, "email": u.Email,
			"orgId": u.OrgID, "orgRole": u.Role, "theme": "dark", "timezone": "browser",
		}
		for _, ds := range s.datasources.inOrg(u.OrgID) {
			datasources[ds.Name] = s.instanceView(ds)
			if ds.IsDefault || defaultName == "" {
				defaultName = ds.Name
			}
		}
	}
	return map[string]any{
		"user": bootUser,
		"settings": map[string]any{
			"appUrl": s.appURL, "appSubUrl": "",
			"buildInfo":         map[string]any{"version": grafanaVersion, "edition": "Open Source", "env": "development"},
			"datasources":       datasources,
			"defaultDatasource": defaultName,
			"featureToggles":    map[string]bool{},
		},
		"navTree": []any{},
		"assets":  map[string]string{"dark": "", "light": ""},
	}
}

// instanceView is a data source as the frontend's data source service holds it: no secrets, not even their names.
func (s *server) instanceView(ds *dataSource) map[string]any {
	jsonData := ds.JSONData
	if jsonData == nil {
		jsonData = map[string]any{}
	}
	return map[string]any{
		"id": ds.ID, "uid": ds.UID, "type": ds.Type, "name": ds.Name, "meta": s.playground.pluginMeta,
		"url": "/api/datasources/proxy/uid/" + ds.UID, "access": ds.Access, "isDefault": ds.IsDefault,
		"jsonData": jsonData, "readOnly": false, "apiVersion": ds.APIVersion,
	}
}
