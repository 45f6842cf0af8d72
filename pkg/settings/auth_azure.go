package settings

// AuthAzure is Microsoft Entra ID.
const AuthAzure = "azure"

func init() {
	registerAuthKind(&authKind{name: AuthAzure, order: 90, validate: validateAzure, secrets: []secretKey{
		{key: "azureClientSecret", field: func(s *Secrets) *string { return &s.AzureClientSecret }},
	}})
}

// Azure is Microsoft Entra ID: client credentials (tenant, client id,
// secureJsonData azureClientSecret) or the host's managed identity.
type Azure struct {
	Mode     string   `json:"mode"` // clientSecret | managedIdentity
	TenantID string   `json:"tenantId,omitempty"`
	ClientID string   `json:"clientId,omitempty"`
	Scopes   []string `json:"scopes"`
	// AuthorityHost is the Entra ID login host (sovereign clouds); default
	// https://login.microsoftonline.com/.
	AuthorityHost string `json:"authorityHost,omitempty"`
}

func validateAzure(s *Upstream, errs *Errors) {
	p := s.Path()
	a, sec := s.Auth, s.Secrets
	z := a.Azure
	if z == nil {
		errs.add(p.JSON("auth.azure"), "required for azure auth (mode and scopes)")
		return
	}
	if len(z.Scopes) == 0 {
		errs.add(p.JSON("auth.azure.scopes"), "at least one scope is required (e.g. api://<app-id>/.default)")
	}
	switch z.Mode {
	case "clientSecret":
		if z.TenantID == "" {
			errs.add(p.JSON("auth.azure.tenantId"), "required for clientSecret")
		}
		if z.ClientID == "" {
			errs.add(p.JSON("auth.azure.clientId"), "required for clientSecret")
		}
		if sec.AzureClientSecret == "" {
			errs.add(p.Secret("azureClientSecret"), "required for clientSecret")
		}
	case "managedIdentity":
	default:
		errs.add(p.JSON("auth.azure.mode"), "must be clientSecret or managedIdentity, got %q", z.Mode)
	}
	if z.AuthorityHost != "" && !absoluteHTTP(z.AuthorityHost) {
		errs.add(p.JSON("auth.azure.authorityHost"), "must be an absolute http(s) URL")
	}
}
