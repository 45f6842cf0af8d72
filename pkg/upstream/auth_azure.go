package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Grafana passes its [azure] settings to plugins in these variables (as
// grafana-azure-sdk-go reads them).
const (
	azureManagedIdentityEnv = "GFAZPL_MANAGED_IDENTITY_ENABLED"
	azureManagedClientIDEnv = "GFAZPL_MANAGED_IDENTITY_CLIENT_ID"
)

const defaultAzureAuthority = "https://login.microsoftonline.com/"

// azureAuth sends a Microsoft Entra ID access token; azidentity caches it and
// refreshes it before expiry.
type azureAuth struct {
	c      *Client
	cred   azcore.TokenCredential
	scopes []string
}

// newAzure builds the credential. Client-secret token requests go through
// this client's own transport, as OAuth2 token fetches do: the authority
// host must be the upstream host or listed in network.allowedHosts, and its
// instance discovery is off (the authority is the admin's). Managed
// identity talks to the host's identity endpoint (IMDS or App Service's),
// which the SSRF guard refuses by design, so it uses the SDK's own transport
// and only when Grafana enables managed identity ([azure]
// managed_identity_enabled).
func init() { registerAuth(settings.AuthAzure, (*Client).newAzure) }

func (c *Client) newAzure() (authenticator, error) {
	z := c.settings.Auth.Azure
	if z == nil || len(z.Scopes) == 0 {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.azure.scopes"), Message: "at least one scope is required"}
	}
	a := &azureAuth{c: c, scopes: z.Scopes}
	switch z.Mode {
	case "clientSecret":
		authority := z.AuthorityHost
		if authority == "" {
			authority = defaultAzureAuthority
		}
		au, err := url.Parse(authority)
		if err != nil || au.Host == "" {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.azure.authorityHost"), Message: "must be an absolute https URL"}
		}
		if e := c.hosts.allows(au); e != nil {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("network.allowedHosts"),
				Message: "the Entra ID authority " + au.Host + " must be listed in allowedHosts"}
		}
		opts := &azidentity.ClientSecretCredentialOptions{
			ClientOptions: azcore.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: strings.TrimSuffix(authority, "/") + "/"},
				Transport: &http.Client{Transport: tokenFetchTransport{next: c.http.Transport}, CheckRedirect: noRedirects},
				Retry:     policy.RetryOptions{MaxRetries: -1}, // one attempt; the next request tries again
			},
			DisableInstanceDiscovery: true,
		}
		cred, err := azidentity.NewClientSecretCredential(z.TenantID, z.ClientID, c.settings.Secrets.AzureClientSecret, opts)
		if err != nil {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.azure"), Message: "tenantId or clientId is not valid"}
		}
		a.cred = cred
	case "managedIdentity":
		if os.Getenv(azureManagedIdentityEnv) != "true" {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.azure.mode"), Message: "managed identity is not enabled in Grafana ([azure] managed_identity_enabled)"}
		}
		opts := &azidentity.ManagedIdentityCredentialOptions{}
		id := z.ClientID
		if id == "" {
			id = os.Getenv(azureManagedClientIDEnv)
		}
		if id != "" {
			opts.ID = azidentity.ClientID(id)
		}
		cred, err := azidentity.NewManagedIdentityCredential(opts)
		if err != nil {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.azure.clientId"), Message: "managed identity is not available on this host"}
		}
		a.cred = cred
	default:
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.azure.mode"), Message: "must be clientSecret or managedIdentity"}
	}
	return a, nil
}

func (a *azureAuth) apply(r *http.Request) error {
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), tokenFetchKey{}, &errSink{}), a.c.settings.Timeouts.Request.Duration)
	defer cancel()
	tok, err := a.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: a.scopes})
	if err != nil {
		e := newError(KindAuth, a.c.path.Secret("azureClientSecret"), nil, "fetching the Entra ID token failed: %s", azureReason(err))
		a.c.logger.FromContext(r.Context()).Warn("Entra ID token fetch failed", "error", e.Error())
		return a.c.scrub.error(e)
	}
	a.c.scrub.add(tok.Token)
	r.Header.Set("Authorization", "Bearer "+tok.Token)
	return nil
}

func (a *azureAuth) close() {}

// azureReason keeps the Entra ID error code (AADSTS...) and drops the rest:
// azidentity's messages repeat the whole response.
func azureReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "AADSTS"); i >= 0 {
		code := msg[i:]
		if j := strings.IndexAny(code, ": \n"); j > 0 {
			code = code[:j]
		}
		return code
	}
	var re *azidentity.AuthenticationFailedError
	if errors.As(err, &re) && re.RawResponse != nil {
		return "the token endpoint answered " + http.StatusText(re.RawResponse.StatusCode)
	}
	return "the token endpoint could not be reached or refused the request"
}
