package main

import (
	"os/exec"
	"strings"
	"testing"
)

// allowedImports is the map of DEVELOPERS.md: which of Relay's packages each
// package may import. Imports go one way (plugin → resources → features →
// policy/client/engine → leaves); a new arrow must be added here on purpose.
var allowedImports = map[string][]string{
	"pkg":               {"plugin", "jqworker", "shared"},
	"pkg/plugin":        {"resources", "proxy", "query", "actions", "openapiimport", "authz", "cache", "jqworker", "shared", "transform", "upstream", "settings", "apierr", "role"},
	"pkg/jqworker":      {"transform"},
	"pkg/resources":     {"authz", "httpx", "transform", "apierr", "role", "settings"},
	"pkg/proxy":         {"authz", "cache", "upstream", "httpx", "settings", "apierr", "role"},
	"pkg/query":         {"authz", "cache", "transform", "upstream", "httpx", "settings", "apierr", "role"},
	"pkg/actions":       {"authz", "upstream", "httpx", "settings", "apierr", "role"},
	"pkg/migrate":       {"query", "transform", "upstream"},
	"pkg/openapiimport": {"httpx", "settings", "apierr", "role"},
	"pkg/authz":         {"httpx", "settings", "apierr", "role"},
	"pkg/upstream":      {"httpx", "settings", "apierr"},
	"pkg/shared":        {"cache"},
	"pkg/cache":         {},
	"pkg/transform":     {},
	"pkg/settings":      {"role"},
	"pkg/httpx":         {"apierr"},
	"pkg/apierr":        {},
	"pkg/role":          {},
}

const module = "github.com/relay-gateway/relay/"

// TestImportDirection fails when a package imports one of Relay's packages
// the map does not allow (test files excluded: fixtures may reach further).
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		top := topPackage(pkg)
		allowed, known := allowedImports[top]
		if !known {
			t.Errorf("%s is not on the map: add it to allowedImports and DEVELOPERS.md", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module+"pkg") {
				continue
			}
			dep := strings.TrimPrefix(topPackage(strings.TrimPrefix(imp, module)), "pkg/")
			if dep == strings.TrimPrefix(top, "pkg/") || contains(allowed, dep) {
				continue
			}
			t.Errorf("%s imports %s, which the import map forbids", pkg, imp)
		}
	}
}

// topPackage folds sub-packages (pkg/transform/json) into their package.
func topPackage(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 2 {
		return strings.Join(parts[:2], "/")
	}
	return p
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
