package settings

import "fmt"

// Path is where one upstream's own fields live in the data source's
// settings: at the top of jsonData and secureJsonData for the default
// upstream, under jsonData.upstreams[i] and secureJsonData
// "upstreams.<name>.<key>" for a named one. Validation and the upstream
// client name a field through the Path of the upstream it belongs to, so an
// error carries its own place from the start and is never renamed afterwards.
// The zero Path is the default upstream's.
type Path struct {
	index int    // position in jsonData.upstreams (named upstreams only)
	name  string // "" for the default upstream
}

func namedPath(index int, name string) Path { return Path{index: index, name: name} }

// JSON names a jsonData field of the upstream, rel relative to the upstream
// ("auth.type" → "jsonData.auth.type" or "jsonData.upstreams[2].auth.type").
// An empty rel names the upstream itself.
func (p Path) JSON(rel string) string {
	base := "jsonData"
	if p.name != "" {
		base = fmt.Sprintf("jsonData.upstreams[%d]", p.index)
	}
	if rel == "" {
		return base
	}
	return base + "." + rel
}

// Secret names a secureJsonData key of the upstream ("tlsCACert" →
// "secureJsonData.tlsCACert" or "secureJsonData.upstreams.<name>.tlsCACert").
func (p Path) Secret(key string) string {
	return "secureJsonData." + SecretField(p.name, key)
}

// URL names the upstream's URL: the data source's own "url" field, or
// jsonData.upstreams[i].url.
func (p Path) URL() string {
	if p.name == "" {
		return "url"
	}
	return p.JSON("url")
}

// Path is where s's upstream fields live (see Path).
func (s *Upstream) Path() Path {
	if s == nil {
		return Path{}
	}
	return s.path
}
