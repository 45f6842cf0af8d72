package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	"gopkg.in/yaml.v3"
)

// dataSource is one provisioned data source as Grafana stores it (secrets already decrypted).
type dataSource struct {
	ID             int64
	OrgID          int64
	Name           string
	Type           string
	UID            string
	URL            string
	Access         string
	User           string
	Database       string
	BasicAuth      bool
	BasicAuthUser  string
	IsDefault      bool
	JSONData       map[string]any
	SecureJSONData map[string]string
	Version        int64
	APIVersion     string
	// Updated is when the settings last changed: start-up, or the last save through the API.
	Updated time.Time

	// settings is sent, read-only, in every PluginContext for this data source.
	settings *pluginv2.DataSourceInstanceSettings
}

// dataSources holds the served data sources, looked up per org as Grafana's data source cache does. A
// *dataSource is never modified once stored: an update stores a new one, so a request that already holds the
// old one keeps consistent settings.
type dataSources struct {
	mu      sync.RWMutex
	list    []*dataSource
	byOrg   map[int64]map[string]*dataSource
	updated time.Time
}

func (d *dataSources) count() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.list)
}

func (d *dataSources) get(orgID int64, uid string) *dataSource {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.byOrg[orgID][uid]
}

// inOrg returns the org's data sources in provisioning order.
func (d *dataSources) inOrg(orgID int64) []*dataSource {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*dataSource
	for _, ds := range d.list {
		if ds.OrgID == orgID {
			out = append(out, ds)
		}
	}
	return out
}

// instanceSettings builds what Grafana sends in every PluginContext, once per version of a data source. Updated
// changes only when the settings do (start-up, a save): the SDK's instance manager rebuilds the plugin instance
// whenever it changes, as it does when a data source is edited in Grafana.
func instanceSettings(ds *dataSource, updated time.Time) (*pluginv2.DataSourceInstanceSettings, error) {
	jsonData := ds.JSONData
	if jsonData == nil {
		jsonData = map[string]any{}
	}
	raw, err := json.Marshal(jsonData)
	if err != nil {
		return nil, fmt.Errorf("data source %q: jsonData: %w", ds.Name, err)
	}
	return &pluginv2.DataSourceInstanceSettings{
		Id:                      ds.ID,
		Uid:                     ds.UID,
		Name:                    ds.Name,
		Url:                     ds.URL,
		User:                    ds.User,
		Database:                ds.Database,
		BasicAuthEnabled:        ds.BasicAuth,
		BasicAuthUser:           ds.BasicAuthUser,
		JsonData:                raw,
		DecryptedSecureJsonData: ds.SecureJSONData,
		LastUpdatedMS:           updated.UnixMilli(),
		ApiVersion:              ds.APIVersion,
	}, nil
}

// provisioningFile is Grafana's data source provisioning format (apiVersion 1). Unknown keys are ignored, as
// Grafana ignores them.
type provisioningFile struct {
	APIVersion  int64               `yaml:"apiVersion"`
	Datasources []provisionedSource `yaml:"datasources"`
}

type provisionedSource struct {
	Name           string            `yaml:"name"`
	Type           string            `yaml:"type"`
	UID            string            `yaml:"uid"`
	URL            string            `yaml:"url"`
	Access         string            `yaml:"access"`
	User           string            `yaml:"user"`
	Database       string            `yaml:"database"`
	BasicAuth      bool              `yaml:"basicAuth"`
	BasicAuthUser  string            `yaml:"basicAuthUser"`
	IsDefault      bool              `yaml:"isDefault"`
	JSONData       map[string]any    `yaml:"jsonData"`
	SecureJSONData map[string]string `yaml:"secureJsonData"`
	OrgID          int64             `yaml:"orgId"`
	Version        int64             `yaml:"version"`
	APIVersion     string            `yaml:"apiVersion"`
}

// uidPattern is Grafana's rule for short UIDs (letters, digits, '-' and '_', at most 40 characters).
var uidPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)

func validUID(uid string) bool { return uidPattern.MatchString(uid) }

// loadProvisioning reads a provisioning file or every *.yaml/*.yml file of a directory (in name order, like
// Grafana) and keeps the data sources of the plugin's type. An empty path serves no data source.
func loadProvisioning(path, pluginID string, lookupEnv func(string) (string, bool), logger hclog.Logger) (*dataSources, error) {
	d := &dataSources{byOrg: map[int64]map[string]*dataSource{}, updated: time.Now()}
	if path == "" {
		logger.Warn("no -provisioning given: no data source is served")
		return d, nil
	}
	files, err := provisioningFiles(path)
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		sources, err := parseProvisioning(raw, lookupEnv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, src := range sources {
			if src.Type != pluginID {
				logger.Info("skipping data source of another plugin type", "name", src.Name, "type", src.Type)
				continue
			}
			if err := d.add(src); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
	}
	return d, nil
}

func provisioningFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

func (d *dataSources) add(src provisionedSource) error {
	if src.Name == "" {
		return errors.New("data source without a name")
	}
	if src.UID == "" {
		// Grafana generates a UID when provisioning omits it; it is logged so requests can address it.
		src.UID = randomUID()
	}
	if !validUID(src.UID) {
		return fmt.Errorf("data source %q: invalid uid %q (letters, digits, '-', '_', at most 40)", src.Name, src.UID)
	}
	if src.OrgID == 0 {
		src.OrgID = 1
	}
	if src.Access == "" {
		src.Access = "proxy"
	}
	org := d.byOrg[src.OrgID]
	if org == nil {
		org = map[string]*dataSource{}
		d.byOrg[src.OrgID] = org
	}
	if _, dup := org[src.UID]; dup {
		return fmt.Errorf("data source %q: uid %q is already used in org %d", src.Name, src.UID, src.OrgID)
	}
	if slices.ContainsFunc(d.list, func(o *dataSource) bool { return o.OrgID == src.OrgID && o.Name == src.Name }) {
		return fmt.Errorf("data source name %q is already used in org %d", src.Name, src.OrgID)
	}
	ds := &dataSource{
		ID:             int64(len(d.list) + 1),
		OrgID:          src.OrgID,
		Name:           src.Name,
		Type:           src.Type,
		UID:            src.UID,
		URL:            src.URL,
		Access:         src.Access,
		User:           src.User,
		Database:       src.Database,
		BasicAuth:      src.BasicAuth,
		BasicAuthUser:  src.BasicAuthUser,
		IsDefault:      src.IsDefault,
		JSONData:       normalizeYAML(src.JSONData),
		SecureJSONData: src.SecureJSONData,
		Version:        src.Version,
		APIVersion:     src.APIVersion,
		Updated:        d.updated,
	}
	settings, err := instanceSettings(ds, ds.Updated)
	if err != nil {
		return err
	}
	ds.settings = settings
	d.list = append(d.list, ds)
	org[ds.UID] = ds
	return nil
}

// parseProvisioning decodes one provisioning document after expanding environment references in its values.
func parseProvisioning(raw []byte, lookupEnv func(string) (string, bool)) ([]provisionedSource, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 { // empty file
		return nil, nil
	}
	if err := expandNode(&doc, lookupEnv, true); err != nil {
		return nil, err
	}
	var f provisioningFile
	if err := doc.Decode(&f); err != nil {
		return nil, err
	}
	if f.APIVersion != 0 && f.APIVersion != 1 {
		return nil, fmt.Errorf("unsupported apiVersion %d (Grafana data source provisioning uses 1)", f.APIVersion)
	}
	return f.Datasources, nil
}

// expandNode expands $VAR, ${VAR}, $__env{VAR} and $__file{path} in scalar values, never in keys, as Grafana's
// provisioning does; "$$" is a literal "$". Outside jsonData/secureJsonData a plain scalar is re-resolved after
// expansion so `orgId: $ORG` or `basicAuth: $FLAG` decode as numbers and booleans; inside them, Grafana keeps the
// expanded value a string, and so does the dev host.
func expandNode(n *yaml.Node, lookupEnv func(string) (string, bool), retag bool) error {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if err := expandNode(c, lookupEnv, retag); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			keepStrings := key == "jsonData" || key == "secureJsonData"
			if err := expandNode(n.Content[i+1], lookupEnv, retag && !keepStrings); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		expanded, err := expandEnv(n.Value, lookupEnv)
		if err != nil {
			return err
		}
		if expanded == n.Value {
			return nil
		}
		n.Value = expanded
		if retag && n.Style == 0 {
			n.Tag = "" // let yaml resolve the expanded text (int, bool, ...) as if it had been written in place
		} else {
			n.Tag = "!!str"
		}
	case yaml.AliasNode:
		// Aliases point at nodes expanded where they are defined.
	}
	return nil
}

var envReference = regexp.MustCompile(`\$\$|\$__(\w+)\{([^}]*)\}|\$\{(\w+)\}|\$(\w+)`)

// expandEnv expands one value. Unset variables become empty strings, as in Grafana.
func expandEnv(s string, lookupEnv func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var firstErr error
	out := envReference.ReplaceAllStringFunc(s, func(ref string) string {
		m := envReference.FindStringSubmatch(ref)
		switch {
		case ref == "$$":
			return "$"
		case m[1] != "":
			v, err := expandProvider(m[1], m[2], lookupEnv)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			return v
		case m[3] != "":
			v, _ := lookupEnv(m[3])
			return v
		default:
			v, _ := lookupEnv(m[4])
			return v
		}
	})
	return out, firstErr
}

func expandProvider(provider, arg string, lookupEnv func(string) (string, bool)) (string, error) {
	switch provider {
	case "env":
		v, _ := lookupEnv(arg)
		return v, nil
	case "file":
		b, err := os.ReadFile(arg)
		if err != nil {
			return "", fmt.Errorf("$__file{%s}: %w", arg, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	default:
		return "", fmt.Errorf("unsupported expansion $__%s{...} (the dev host knows $__env and $__file)", provider)
	}
}

// normalizeYAML turns any map[any]any that YAML can produce into map[string]any so jsonData marshals to JSON.
func normalizeYAML(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = normalizeYAMLValue(v)
	}
	return out
}

func normalizeYAMLValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return normalizeYAML(t)
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[fmt.Sprint(k)] = normalizeYAMLValue(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = normalizeYAMLValue(val)
		}
		return out
	default:
		return v
	}
}

func randomUID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 14)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// keepCookies returns jsonData.keepCookies, the cookie names Grafana forwards to the plugin.
func (ds *dataSource) keepCookies() []string {
	list, _ := ds.JSONData["keepCookies"].([]any)
	var names []string
	for _, v := range list {
		if s, ok := v.(string); ok && s != "" {
			names = append(names, s)
		}
	}
	return names
}
