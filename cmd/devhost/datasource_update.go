package main

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"time"
)

// updateCommand is the body of PUT /api/datasources/uid/{uid}, Grafana's UpdateDataSourceCommand: the whole
// data source as the config page holds it. secureJsonData carries only the secrets being changed: a value sets
// one, an empty value resets it; secrets not named keep their stored value.
type updateCommand struct {
	Name           string            `json:"name"`
	Type           string            `json:"type"`
	UID            string            `json:"uid"`
	Access         string            `json:"access"`
	URL            string            `json:"url"`
	User           string            `json:"user"`
	Database       string            `json:"database"`
	BasicAuth      bool              `json:"basicAuth"`
	BasicAuthUser  string            `json:"basicAuthUser"`
	IsDefault      bool              `json:"isDefault"`
	JSONData       map[string]any    `json:"jsonData"`
	SecureJSONData map[string]string `json:"secureJsonData"`
	Version        int64             `json:"version"`
}

// updateError is a refused update with Grafana's status and message.
type updateError struct {
	status  int
	message string
}

func (e *updateError) Error() string { return e.message }

// Grafana's message when a non-admin saves a data source.
const msgNeedsWrite = "You'll need additional permissions to perform this action. Permissions needed: datasources:write"

// update replaces the settings of one data source with cmd, as Grafana's update does, and gives the new version a
// later Updated time, so the SDK's instance manager builds a new plugin instance for it.
func (d *dataSources) update(orgID int64, uid string, cmd updateCommand, now time.Time) (*dataSource, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.byOrg[orgID][uid]
	switch {
	case old == nil:
		return nil, &updateError{http.StatusNotFound, msgDataSourceNotFound}
	case cmd.Name == "":
		return nil, &updateError{http.StatusBadRequest, "Required: name"}
	case cmd.Type != "" && cmd.Type != old.Type:
		return nil, &updateError{http.StatusBadRequest, "the dev host serves only " + old.Type + " data sources"}
	case cmd.UID != "" && cmd.UID != uid:
		return nil, &updateError{http.StatusBadRequest, "the dev host cannot change a data source's uid"}
	case cmd.Version != 0 && cmd.Version < old.Version:
		return nil, &updateError{http.StatusConflict, "Datasource has already been updated by someone else. Please reload and try again"}
	}
	for _, other := range d.byOrg[orgID] {
		if other != old && other.Name == cmd.Name {
			return nil, &updateError{http.StatusConflict, "Data source with the same name already exists"}
		}
	}

	secrets := maps.Clone(old.SecureJSONData)
	if secrets == nil {
		secrets = map[string]string{}
	}
	for k, v := range cmd.SecureJSONData {
		if v == "" {
			delete(secrets, k)
		} else {
			secrets[k] = v
		}
	}
	// Two saves within one millisecond must still differ: the plugin side compares milliseconds.
	updated := now
	if !updated.After(old.Updated.Add(time.Millisecond)) {
		updated = old.Updated.Add(time.Millisecond)
	}
	access := cmd.Access
	if access == "" {
		access = old.Access
	}
	next := &dataSource{
		ID: old.ID, OrgID: old.OrgID, Type: old.Type, UID: old.UID, APIVersion: old.APIVersion,
		Name: cmd.Name, URL: cmd.URL, Access: access, User: cmd.User, Database: cmd.Database,
		BasicAuth: cmd.BasicAuth, BasicAuthUser: cmd.BasicAuthUser, IsDefault: cmd.IsDefault,
		JSONData: cmd.JSONData, SecureJSONData: secrets, Version: old.Version + 1, Updated: updated,
	}
	settings, err := instanceSettings(next, updated)
	if err != nil {
		return nil, &updateError{http.StatusBadRequest, "jsonData cannot be encoded"}
	}
	next.settings = settings
	for i, ds := range d.list {
		if ds == old {
			d.list[i] = next
		}
	}
	d.byOrg[orgID][uid] = next
	return next, nil
}

// serveDataSourceUpdate answers PUT /api/datasources/uid/{uid}. Only Admins may edit a data source, as in
// Grafana (datasources:write); the answer holds the saved data source, without secret values.
func (s *server) serveDataSourceUpdate(w http.ResponseWriter, r *http.Request, u *user) {
	if u.Role != "Admin" {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": msgNeedsWrite, "title": "Access denied"})
		return
	}
	raw, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var cmd updateCommand
	if err := json.Unmarshal(raw, &cmd); err != nil {
		// The decoder's message may quote the body, and the body may hold a secret.
		writeJSONError(w, http.StatusBadRequest, "bad request data")
		return
	}
	ds, err := s.datasources.update(u.OrgID, r.PathValue("uid"), cmd, time.Now())
	var refused *updateError
	if errors.As(err, &refused) {
		writeJSONError(w, refused.status, refused.message)
		return
	}
	s.logger.Info("data source updated", "uid", ds.UID, "version", ds.Version, "by", u.Login)
	writeJSON(w, http.StatusOK, map[string]any{
		"datasource": viewOf(ds), "id": ds.ID, "name": ds.Name, "message": "Datasource updated",
	})
}
