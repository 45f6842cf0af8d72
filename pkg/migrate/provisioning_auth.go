package migrate

import (
	"strings"
)

// auth converts the authentication settings; prefix is "upstreams.<name>."
// for the secrets of a named upstream.
func (c *dsConv) auth(jd map[string]any, prefix string) map[string]any {
	method := str(jd["auth_method"])
	if method == "" {
		switch {
		case c.d.BasicAuth:
			method = "basicAuth"
		case boolean(jd["oauthPassThru"]):
			method = "oauthPassThru"
		}
	}
	switch method {
	case "", "none":
		return nil
	case "basicAuth", "digestAuth":
		typ := "basic"
		if method == "digestAuth" {
			typ = "digest"
		}
		c.secret(prefix+"basicAuthPassword", "basicAuthPassword")
		return map[string]any{"type": typ, "basicUser": c.d.BasicAuthUser}
	case "apiKey":
		in := str(jd["apiKeyType"])
		if in == "" {
			in = "header"
		}
		c.secret(prefix+"apiKeyValue", "apiKeyValue")
		return map[string]any{"type": "apiKey", "apiKeyName": str(jd["apiKeyKey"]), "apiKeyIn": in}
	case "bearerToken":
		c.secret(prefix+"bearerToken", "bearerToken")
		return map[string]any{"type": "bearer"}
	case "oauthPassThru":
		return map[string]any{"type": "forwardOAuth"}
	case "aws":
		aws, _ := jd["aws"].(map[string]any)
		c.secret(prefix+"sigV4AccessKey", "awsAccessKey")
		c.secret(prefix+"sigV4SecretKey", "awsSecretKey")
		return map[string]any{"type": "sigv4", "sigv4": map[string]any{"region": str(aws["region"]), "service": str(aws["service"])}}
	case "oauth2":
		o, _ := jd["oauth2"].(map[string]any)
		switch str(o["oauth2_type"]) {
		case "", "client_credentials":
			c.secret(prefix+"oauth2ClientSecret", "oauth2ClientSecret")
			oc := map[string]any{"tokenUrl": str(o["token_url"]), "clientId": str(o["client_id"])}
			if sc := list(o["scopes"]); len(sc) > 0 {
				oc["scopes"] = sc
			}
			if as, _ := num(o["authStyle"]); as == 1 {
				oc["authStyle"] = "params"
			}
			a := map[string]any{"type": "oauth2", "oauth2": oc}
			if h := str(o["authHeader"]); h != "" {
				a["tokenHeader"] = h
			}
			if tt := str(o["tokenTemplate"]); tt != "" {
				a["tokenFormat"] = strings.ReplaceAll(tt, "${__oauth2.access_token}", "{{token}}")
			}
			return a
		case "jwt":
			c.secret(prefix+"jwtPrivateKey", "oauth2JWTPrivateKey")
			jc := map[string]any{"tokenUrl": str(o["token_url"]), "email": str(o["email"]), "subject": str(o["subject"]),
				"privateKeyId": str(o["private_key_id"])}
			if sc := list(o["scopes"]); len(sc) > 0 {
				jc["scopes"] = sc
			}
			return map[string]any{"type": "jwt", "jwt": jc}
		}
		c.note("OAuth2 type %q has no Relay equivalent: set auth by hand", str(o["oauth2_type"]))
		return nil
	case "azureBlob":
		c.note("Azure Blob Storage auth has no Relay equivalent: use auth type azure with the storage account's URL")
		return nil
	}
	c.note("auth_method %q unknown: set auth by hand", method)
	return nil
}
