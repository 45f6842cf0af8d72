package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ReadVersion returns the "version" of package.json at the module root: the one version of a Relay release, which
// webpack writes into plugin.json and the SDK's build package (go tool mage) links into the backend.
func ReadVersion(moduleRoot string) (string, error) {
	b, err := os.ReadFile(filepath.Join(moduleRoot, "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil || pkg.Version == "" {
		return "", fmt.Errorf("package.json: no version (%v)", err)
	}
	return pkg.Version, nil
}

// VersionLDFlags are the -X flags the SDK's build package links into a plugin (build.Build's Linux, Windows, ...
// targets; without their build time, so unchanged sources give an unchanged binary). The SDK's
// buildinfo.GetBuildInfo reads the JSON back; `go version -m` shows it.
func VersionLDFlags(pluginID, version string) string {
	info, _ := json.Marshal(map[string]string{"pluginID": pluginID, "version": version})
	return fmt.Sprintf("-X 'github.com/grafana/grafana-plugin-sdk-go/build/buildinfo.buildInfoJSON=%s' "+
		"-X 'main.pluginID=%s' -X 'main.version=%s'", info, pluginID, version)
}

// renderPluginJSON is src/plugin.json with the placeholders webpack replaces (%VERSION%, %TODAY%).
func renderPluginJSON(moduleRoot, version string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(moduleRoot, "src", "plugin.json"))
	if err != nil {
		return nil, err
	}
	r := strings.NewReplacer("%VERSION%", version, "%TODAY%", time.Now().UTC().Format("2006-01-02"))
	return []byte(r.Replace(string(b))), nil
}
