package main

import (
	"net/http"
	"sort"
)

// dataSourceView is one entry of GET /api/datasources: Grafana's listing shape, never a secret value. Which
// secure fields are set is shown as Grafana shows it, by name.
type dataSourceView struct {
	ID               int64           `json:"id"`
	UID              string          `json:"uid"`
	OrgID            int64           `json:"orgId"`
	Name             string          `json:"name"`
	Type             string          `json:"type"`
	Access           string          `json:"access"`
	URL              string          `json:"url"`
	User             string          `json:"user"`
	Database         string          `json:"database"`
	BasicAuth        bool            `json:"basicAuth"`
	BasicAuthUser    string          `json:"basicAuthUser"`
	IsDefault        bool            `json:"isDefault"`
	JSONData         map[string]any  `json:"jsonData"`
	SecureJSONFields map[string]bool `json:"secureJsonFields"`
	Version          int64           `json:"version"`
	ReadOnly         bool            `json:"readOnly"`
}

// serveDataSourceList answers GET /api/datasources with the user's org's provisioned data sources.
func (s *server) serveDataSourceList(w http.ResponseWriter, _ *http.Request, u *user) {
	views := []dataSourceView{}
	for _, ds := range s.datasources.list {
		if ds.OrgID != u.OrgID {
			continue
		}
		fields := map[string]bool{}
		for k := range ds.SecureJSONData {
			fields[k] = true
		}
		jsonData := ds.JSONData
		if jsonData == nil {
			jsonData = map[string]any{}
		}
		views = append(views, dataSourceView{
			ID: ds.ID, UID: ds.UID, OrgID: ds.OrgID, Name: ds.Name, Type: ds.Type, Access: ds.Access, URL: ds.URL,
			User: ds.User, Database: ds.Database, BasicAuth: ds.BasicAuth, BasicAuthUser: ds.BasicAuthUser,
			IsDefault: ds.IsDefault, JSONData: jsonData, SecureJSONFields: fields, Version: ds.Version,
			ReadOnly: true, // provisioned data sources are read-only in Grafana
		})
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Name < views[j].Name })
	writeJSON(w, http.StatusOK, views)
}
