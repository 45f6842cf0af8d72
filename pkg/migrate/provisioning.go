package migrate

import (
	"bytes"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Provisioning files: the old data sources' (read for --datasource-config
// and converted by `relay-migrate datasource`). Secret values are never
// read: secureJsonData is not even decoded.

type provFile struct {
	APIVersion  any      `yaml:"apiVersion"`
	Datasources []provDS `yaml:"datasources"`
}

type provDS struct {
	Name          string         `yaml:"name"`
	UID           string         `yaml:"uid"`
	Type          string         `yaml:"type"`
	URL           string         `yaml:"url"`
	Access        string         `yaml:"access"`
	OrgID         any            `yaml:"orgId"`
	IsDefault     bool           `yaml:"isDefault"`
	Editable      *bool          `yaml:"editable"`
	BasicAuth     bool           `yaml:"basicAuth"`
	BasicAuthUser string         `yaml:"basicAuthUser"`
	JSONData      map[string]any `yaml:"jsonData"`
	// secureJsonData is deliberately not a field: its values are never read.
}

// relayDS is a converted data source, its keys in the usual order.
type relayDS struct {
	Name           string            `yaml:"name"`
	Type           string            `yaml:"type"`
	UID            string            `yaml:"uid,omitempty"`
	URL            string            `yaml:"url"`
	OrgID          any               `yaml:"orgId,omitempty"`
	IsDefault      bool              `yaml:"isDefault,omitempty"`
	Editable       *bool             `yaml:"editable,omitempty"`
	JSONData       map[string]any    `yaml:"jsonData"`
	SecureJSONData map[string]string `yaml:"secureJsonData,omitempty"`
}

// ReadSources reads the Infinity and JSON API data sources of a provisioning
// file (YAML or JSON), or of a data source's JSON as Grafana's API returns it.
func ReadSources(raw []byte) ([]*Source, error) {
	dss, err := readProvisioning(raw)
	if err != nil {
		return nil, err
	}
	var out []*Source
	for _, d := range dss {
		if d.Type != PluginInfinity && d.Type != PluginJSONAPI {
			continue
		}
		s := &Source{Name: d.Name, UID: d.UID, Type: d.Type, URL: d.URL, RefData: map[string]string{}}
		if d.Type == PluginInfinity {
			for _, h := range list(d.JSONData["allowedHosts"]) {
				s.AllowedHosts = append(s.AllowedHosts, str(h))
			}
			for _, r := range list(d.JSONData["refData"]) {
				if m, ok := r.(map[string]any); ok {
					s.RefData[str(m["name"])] = str(m["data"])
				}
			}
		} else {
			s.QueryParams = str(d.JSONData["queryParams"])
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Infinity (%s) or JSON API (%s) data source in the file", PluginInfinity, PluginJSONAPI)
	}
	return out, nil
}

func readProvisioning(raw []byte) ([]provDS, error) {
	var f provFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("the provisioning file is not valid YAML: %v", err)
	}
	if len(f.Datasources) > 0 {
		return f.Datasources, nil
	}
	// A single data source, as Grafana's API returns it (GET /api/datasources/uid/…).
	var one provDS
	if err := yaml.Unmarshal(raw, &one); err != nil || one.Type == "" {
		return nil, fmt.Errorf("no datasources in the file")
	}
	return []provDS{one}, nil
}

func list(v any) []any { l, _ := v.([]any); return l }

// Secret is a secret the Relay data source needs, to be entered again.
type Secret struct {
	DataSource string `json:"dataSource"`
	Key        string `json:"key"`  // Relay's secureJsonData key
	From       string `json:"from"` // the old data source's key it replaces
	Env        string `json:"env"`  // the environment variable the output reads it from
}

// DatasourceResult is the converted provisioning and what to do by hand.
type DatasourceResult struct {
	YAML    []byte
	Secrets []Secret
	Notes   []string
}

// ConvertDatasources converts the Infinity and JSON API data sources of a
// provisioning file to Relay's. Other data sources are dropped from the
// output (they need no change). Secrets are written as $ENV references.
func ConvertDatasources(raw []byte) (*DatasourceResult, error) {
	dss, err := readProvisioning(raw)
	if err != nil {
		return nil, err
	}
	res := &DatasourceResult{}
	var out []relayDS
	for _, d := range dss {
		if d.Type != PluginInfinity && d.Type != PluginJSONAPI {
			res.Notes = append(res.Notes, fmt.Sprintf("%s (%s): not an Infinity or JSON API data source, left out", d.Name, d.Type))
			continue
		}
		out = append(out, convertDS(d, res))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Infinity (%s) or JSON API (%s) data source in the file", PluginInfinity, PluginJSONAPI)
	}
	var b bytes.Buffer
	b.WriteString("# Converted by relay-migrate. Secrets are read from the environment variables named below:\n# set them (Grafana expands $VAR in provisioning files) or enter the secrets in the config editor.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"apiVersion": 1, "datasources": out}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	res.YAML = b.Bytes()
	return res, nil
}

type dsConv struct {
	d      provDS
	res    *DatasourceResult
	secure map[string]string
}

func (c *dsConv) secret(key, from string) {
	env := "RELAY_" + strings.ToUpper(nonEnv.Replace(c.d.UID+"_"+key))
	if c.d.UID == "" {
		env = "RELAY_" + strings.ToUpper(nonEnv.Replace(c.d.Name+"_"+key))
	}
	c.secure[key] = "$" + env
	c.res.Secrets = append(c.res.Secrets, Secret{DataSource: c.d.Name, Key: key, From: from, Env: env})
}

var nonEnv = strings.NewReplacer(".", "_", "-", "_", " ", "_", "/", "_")

func (c *dsConv) note(format string, a ...any) {
	c.res.Notes = append(c.res.Notes, c.d.Name+": "+fmt.Sprintf(format, a...))
}

func convertDS(d provDS, res *DatasourceResult) relayDS {
	c := &dsConv{d: d, res: res, secure: map[string]string{}}
	jd := d.JSONData
	if jd == nil {
		jd = map[string]any{}
	}
	out := relayDS{Name: d.Name, Type: PluginRelay, OrgID: d.OrgID, IsDefault: d.IsDefault, Editable: d.Editable}
	if d.UID != "" {
		out.UID = d.UID + "-relay"
		c.note("uid %s-relay: map the dashboards with --datasource %s=%s-relay", d.UID, d.UID, d.UID)
	}
	rj := map[string]any{}
	src := &Source{URL: d.URL}
	if d.Type == PluginInfinity {
		for _, h := range list(jd["allowedHosts"]) {
			src.AllowedHosts = append(src.AllowedHosts, str(h))
		}
	}
	base := src.defaultBase()
	if base == "" {
		base = "https://CHANGE-ME.example.com"
		c.note("the old data source has no URL and no allowed hosts (Infinity reaches any URL): set url to the API your queries call, and add an upstream for each other API")
	}
	out.URL = base
	auth := c.auth(jd, "")
	if auth != nil {
		rj["auth"] = auth
	}
	tls := map[string]any{}
	if boolean(jd["tlsSkipVerify"]) {
		tls["skipVerify"] = true
	}
	if s := str(jd["serverName"]); s != "" {
		tls["serverName"] = s
	}
	if len(tls) > 0 {
		rj["tls"] = tls
	}
	if boolean(jd["tlsAuthWithCACert"]) {
		c.secret("tlsCACert", "tlsCACert")
	}
	if boolean(jd["tlsAuth"]) {
		c.secret("tlsClientCert", "tlsClientCert")
		c.secret("tlsClientKey", "tlsClientKey")
	}
	if n, ok := num(jd["timeoutInSeconds"]); ok && n > 0 {
		rj["timeouts"] = map[string]any{"request": strconv.Itoa(int(n)) + "s"}
	} else if n, ok := num(jd["timeout"]); ok && n > 0 {
		rj["timeouts"] = map[string]any{"request": strconv.Itoa(int(n)) + "s"}
	}
	for i := 1; i < 100; i++ {
		name := str(jd["httpHeaderName"+strconv.Itoa(i)])
		if name == "" {
			continue
		}
		rj["httpHeaderName"+strconv.Itoa(i)] = name
		c.secret("httpHeaderValue"+strconv.Itoa(i), "httpHeaderValue"+strconv.Itoa(i))
	}
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" && isPrivateHost(u.Hostname()) {
		rj["network"] = map[string]any{"allowPrivateNetworks": true}
		c.note("%s is a private or loopback address: network.allowPrivateNetworks set; narrow it with network.allowedCIDRs", u.Hostname())
	}
	if d.Type == PluginJSONAPI {
		if qp := str(jd["queryParams"]); qp != "" {
			vals, err := url.ParseQuery(strings.TrimPrefix(qp, "?"))
			if err == nil {
				m := map[string]any{}
				for k := range vals {
					m[k] = vals.Get(k)
				}
				rj["proxy"] = map[string]any{"queryParams": m}
			} else {
				c.note("queryParams %q could not be read: add them as proxy.queryParams by hand", qp)
			}
		}
		c.note("JSON API sends POST queries too: allow POST on the paths they use with proxy.rules (relay-migrate dashboard's report names them)")
	} else {
		c.infinityExtras(jd, rj, src, auth)
	}
	if hp := str(jd["customHealthCheckUrl"]); hp != "" && boolean(jd["customHealthCheckEnabled"]) {
		if under(hp, base) {
			rj["healthPath"] = rest(hp, base)
		} else {
			c.note("customHealthCheckUrl %s is not under %s: set healthPath by hand", hp, base)
		}
	}
	out.JSONData = rj
	if len(c.secure) > 0 {
		out.SecureJSONData = c.secure
	}
	return out
}

// infinityExtras: the allowed hosts become named upstreams (with the same
// credentials, as Infinity sends them to every allowed host), and the
// settings Relay has no use for are named.
func (c *dsConv) infinityExtras(jd, rj map[string]any, src *Source, auth map[string]any) {
	var ups []map[string]any
	for _, h := range src.namedHosts() {
		name := upstreamFor(h)
		u := map[string]any{"name": name, "url": strings.TrimRight(h, "/")}
		if auth != nil {
			u["auth"] = c.auth(jd, "upstreams."+name+".")
		}
		ups = append(ups, u)
	}
	if len(ups) > 0 {
		rj["upstreams"] = ups
		c.note("allowed hosts → named upstreams %s (queries under them are converted to use them)", upstreamNames(ups))
	}
	if rd := list(jd["refData"]); len(rd) > 0 {
		c.note("refData (%d entries): relay-migrate dashboard --datasource-config inlines them into the queries that use them", len(rd))
	}
	if gq := list(jd["global_queries"]); len(gq) > 0 {
		c.note("global_queries (%d): Relay has none; queries using them are skipped by the dashboard conversion", len(gq))
	}
	if pt := str(jd["proxy_type"]); pt == "url" || pt == "env" {
		op := map[string]any{"mode": pt}
		if pt == "url" {
			op["url"] = str(jd["proxy_url"])
			if u := str(jd["proxy_username"]); u != "" {
				op["username"] = u
				c.secret("outboundProxyPassword", "proxyUserPassword")
			}
		}
		rj["outboundProxy"] = op
	}
	if boolean(jd["enableSecureSocksProxy"]) {
		rj["enableSecureSocksProxy"] = true
	}
	if kc := list(jd["keepCookies"]); len(kc) > 0 {
		c.note("keepCookies: Relay never forwards the browser's cookies")
	}
	if boolean(jd["allowDangerousHTTPMethods"]) {
		c.note("allowDangerousHTTPMethods: allow PUT, PATCH or DELETE on specific paths with proxy.rules")
	}
	c.note("Infinity allows POST queries: allow POST on the paths they use with proxy.rules (relay-migrate dashboard's report names them)")
}

func upstreamNames(ups []map[string]any) string {
	var n []string
	for _, u := range ups {
		n = append(n, str(u["name"]))
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func isPrivateHost(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || strings.HasPrefix(h, "10.") || strings.HasPrefix(h, "192.168.") ||
		h == "::1" || strings.HasPrefix(h, "172.16.") || strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".internal")
}
