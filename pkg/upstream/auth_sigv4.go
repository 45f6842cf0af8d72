package upstream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/relay-gateway/relay/pkg/settings"
)

// Grafana passes its [aws] settings to plugins in these variables (as the
// grafana-aws-sdk reads them): which credential sources the admin allows,
// and whether assuming a role is.
const (
	awsAllowedProvidersEnv = "AWS_AUTH_AllowedAuthProviders"
	awsAssumeRoleEnv       = "AWS_AUTH_AssumeRoleEnabled"
)

// emptyPayloadHash is the SHA-256 of no bytes, as SigV4 wants it.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// sigv4Auth signs each request (each redirect hop on the upstream origin)
// with the aws-sdk-go-v2 signer. Credentials are cached by aws.CredentialsCache,
// which refreshes assumed-role credentials before they expire.
type sigv4Auth struct {
	c       *Client
	signer  *v4.Signer
	creds   aws.CredentialsProvider
	region  string
	service string
	now     func() time.Time
}

func init() { registerAuth(settings.AuthSigV4, (*Client).newSigV4) }

func (c *Client) newSigV4() (authenticator, error) {
	v := c.settings.Auth.SigV4
	if v == nil || v.Region == "" || v.Service == "" {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.sigv4.region"), Message: "region and service are required for sigv4 auth"}
	}
	var base aws.CredentialsProvider
	switch v.AuthMode {
	case "", "keys":
		sec := c.settings.Secrets
		base = credentials.NewStaticCredentialsProvider(sec.SigV4AccessKey, sec.SigV4SecretKey, sec.SigV4SessionToken)
	case "default":
		if !awsProviderAllowed("default") {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.sigv4.authMode"),
				Message: "the AWS default credential chain is not allowed by Grafana ([aws] allowed_auth_providers must list default)"}
		}
		cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(v.Region))
		if err != nil {
			return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.sigv4.authMode"), Message: "the AWS default credential chain could not be loaded"}
		}
		base = cfg.Credentials
	}
	if v.AssumeRoleARN != "" {
		p, err := c.assumeRole(v, base)
		if err != nil {
			return nil, err
		}
		base = p
	}
	return &sigv4Auth{c: c, signer: v4.NewSigner(), creds: aws.NewCredentialsCache(base),
		region: v.Region, service: v.Service, now: time.Now}, nil
}

// assumeRole calls STS through this client's own transport (host policy,
// dial guard, TLS, outbound proxy), as OAuth2 token fetches do: the STS
// endpoint must be the upstream host or listed in network.allowedHosts.
func (c *Client) assumeRole(v *settings.SigV4, base aws.CredentialsProvider) (aws.CredentialsProvider, error) {
	if os.Getenv(awsAssumeRoleEnv) == "false" {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.sigv4.assumeRoleArn"), Message: "assuming a role is disabled by Grafana ([aws] assume_role_enabled)"}
	}
	endpoint := v.STSEndpoint
	if endpoint == "" {
		endpoint = "https://sts." + v.Region + ".amazonaws.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("auth.sigv4.stsEndpoint"), Message: "must be an absolute http(s) URL"}
	}
	if e := c.hosts.allows(u); e != nil {
		return nil, &settings.FieldError{Field: c.settings.Path().JSON("network.allowedHosts"),
			Message: "the STS endpoint " + u.Host + " for assumeRoleArn must be listed in allowedHosts"}
	}
	client := sts.New(sts.Options{
		Region:       v.Region,
		Credentials:  base,
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Transport: tokenFetchTransport{next: c.http.Transport}, CheckRedirect: noRedirects},
	})
	return stscreds.NewAssumeRoleProvider(client, v.AssumeRoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "grafana-relay"
		if v.ExternalID != "" {
			o.ExternalID = aws.String(v.ExternalID)
		}
	}), nil
}

func awsProviderAllowed(name string) bool {
	for p := range strings.SplitSeq(os.Getenv(awsAllowedProvidersEnv), ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

func (a *sigv4Auth) apply(r *http.Request) error {
	// Credential refreshes (STS) get their own deadline and the token-fetch
	// mark, so no upstream credential is added to them.
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), tokenFetchKey{}, &errSink{}), a.c.settings.Timeouts.Request.Duration)
	defer cancel()
	creds, err := a.creds.Retrieve(ctx)
	if err != nil {
		return newError(KindAuth, a.c.path.JSON("auth.sigv4"), nil, "AWS credentials are not available: %s", a.c.scrub.scrub(err.Error()))
	}
	if creds.SessionToken != "" && creds.SessionToken != a.c.settings.Secrets.SigV4SessionToken {
		a.c.scrub.add(creds.SessionToken)
		a.c.scrub.add(creds.SecretAccessKey)
	}
	hash, err := payloadHash(r)
	if err != nil {
		return err
	}
	r.Header.Set("X-Amz-Content-Sha256", hash)
	if err := a.signer.SignHTTP(r.Context(), creds, r, hash, a.service, a.region, a.now()); err != nil {
		return newError(KindAuth, a.c.path.JSON("auth.sigv4"), nil, "signing the request failed")
	}
	return nil
}

func (a *sigv4Auth) close() {}

// payloadHash is the hex SHA-256 of the request body. The body is read from
// GetBody when the request has one, else buffered once: request bodies are
// already bounded by the route's body limit (proxy.maxRequestBytes) and
// arrive in memory through the plugin protocol.
func payloadHash(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return emptyPayloadHash, nil
	}
	h := sha256.New()
	if r.GetBody != nil {
		b, err := r.GetBody()
		if err == nil {
			_, err = io.Copy(h, io.LimitReader(b, settings.MaxRequestBodyCeiling+1))
			_ = b.Close()
		}
		if err != nil {
			return "", newError(KindUnknown, "", err, "reading the request body to sign it failed")
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, settings.MaxRequestBodyCeiling+1))
	_ = r.Body.Close()
	if err != nil {
		return "", newError(KindUnknown, "", err, "reading the request body to sign it failed")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// tokenFetchTransport marks requests of an auth layer's own endpoint (STS,
// token URLs) so credentialsMiddleware adds no upstream credential to them,
// and keeps the transport error for the message.
type tokenFetchTransport struct{ next http.RoundTripper }

func (t tokenFetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sink, _ := req.Context().Value(tokenFetchKey{}).(*errSink)
	if sink == nil {
		sink = &errSink{}
		req = req.WithContext(context.WithValue(req.Context(), tokenFetchKey{}, sink))
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		sink.set(err)
	}
	return resp, err
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
