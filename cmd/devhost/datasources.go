package main

import (
	"net/http"
	"sort"
	"strconv"
)

// dataSourceView is Grafana's JSON for one data source (GET /api/datasources, /api/datasources/uid/{uid},
// /api/datasources/{id}): never a secret value. Which secure fields are set is shown as Grafana shows it, by name.
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
	WithCredentials  bool            `json:"withCredentials"`
	IsDefault        bool            `json:"isDefault"`
	JSONData         map[string]any  `json:"jsonData"`
	SecureJSONFields map[string]bool `json:"secureJsonFields"`
	Version          int64           `json:"version"`
	ReadOnly         bool            `json:"readOnly"`
	APIVersion       string          `json:"apiVersion,omitempty"`
}

func viewOf(ds *dataSource) dataSourceView {
	// Grafana lists a secure field only when it holds a value: saving an empty one is how a secret is reset.
	fields := map[string]bool{}
	for k, v := range ds.SecureJSONData {
		if v != "" {
			fields[k] = true
		}
	}
	jsonData := ds.JSONData
	if jsonData == nil {
		jsonData = map[string]any{}
	}
	return dataSourceView{
		ID: ds.ID, UID: ds.UID, OrgID: ds.OrgID, Name: ds.Name, Type: ds.Type, Access: ds.Access, URL: ds.URL,
		User: ds.User, Database: ds.Database, BasicAuth: ds.BasicAuth, BasicAuthUser: ds.BasicAuthUser,
		IsDefault: ds.IsDefault, JSONData: jsonData, SecureJSONFields: fields, Version: ds.Version,
		APIVersion: ds.APIVersion,
		// Provisioned data sources are read-only in Grafana; the dev host lets Admins edit them in memory
		// (PUT /api/datasources/uid/{uid}), so it does not mark them read-only.
		ReadOnly: false,
	}
}

// serveDataSourceList answers GET /api/datasources with the user's org's data sources, by name.
func (s *server) serveDataSourceList(w http.ResponseWriter, _ *http.Request, u *user) {
	views := []dataSourceView{}
	for _, ds := range s.datasources.inOrg(u.OrgID) {
		views = append(views, viewOf(ds))
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Name < views[j].Name })
	writeJSON(w, http.StatusOK, views)
}

const msgDataSourceNotFound = "Data source not found"

// serveDataSourceByUID answers GET /api/datasources/uid/{uid} as Grafana does: 404 for a uid not in the org.
func (s *server) serveDataSourceByUID(w http.ResponseWriter, r *http.Request, u *user) {
	ds := s.datasources.get(u.OrgID, r.PathValue("uid"))
	if ds == nil {
		writeJSONError(w, http.StatusNotFound, msgDataSourceNotFound)
		return
	}
	writeJSON(w, http.StatusOK, viewOf(ds))
}

// serveDataSourceByID answers GET /api/datasources/{id} (deprecated in Grafana, still served): 400 for an id that
// is not a number, 404 for one not in the org.
func (s *server) serveDataSourceByID(w http.ResponseWriter, r *http.Request, u *user) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "id is invalid")
		return
	}
	for _, ds := range s.datasources.inOrg(u.OrgID) {
		if ds.ID == id {
			writeJSON(w, http.StatusOK, viewOf(ds))
			return
		}
	}
	writeJSONError(w, http.StatusNotFound, msgDataSourceNotFound)
}
