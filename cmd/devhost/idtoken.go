package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Grafana's ID forwarding (the idForwarding feature toggle): Grafana signs a short-lived JWT saying who the caller
// is and hands it to the plugin as the X-Grafana-Id request header of QueryData and CallResource; upstreams verify
// it against the public keys Grafana serves at /api/signing-keys/keys. With -id-forwarding the dev host does the
// same with an ES256 key made at start, so a plugin's forwarding can be tested end to end.

const (
	idTokenHeader   = "X-Grafana-Id"
	idTokenLifetime = 10 * time.Minute
)

type idSigner struct {
	key   *ecdsa.PrivateKey
	point []byte // the public key, uncompressed
	kid   string
	iss   string
	now   func() time.Time
}

func newIDSigner(issuer string) (*idSigner, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("id forwarding: signing key: %w", err)
	}
	point, err := key.PublicKey.Bytes() // 0x04, X, Y: 32 bytes each on P-256
	if err != nil {
		return nil, fmt.Errorf("id forwarding: public key: %w", err)
	}
	sum := sha256.Sum256(point)
	return &idSigner{point: point, key: key, kid: "devhost-" + base64.RawURLEncoding.EncodeToString(sum[:8]), iss: issuer, now: time.Now}, nil
}

// token is the caller's ID token with Grafana's claims: sub and identifier name the user, aud the org.
func (s *idSigner) token(u *user) (string, error) {
	now := s.now()
	header := map[string]string{"alg": "ES256", "kid": s.kid, "typ": "jwt"}
	claims := map[string]any{
		"iss": s.iss, "sub": "user:" + u.Login, "aud": []string{"org:" + strconv.FormatInt(u.OrgID, 10)},
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(idTokenLifetime).Unix(),
		"type": "user", "identifier": u.Login, "namespace": "default", "login": u.Login, "email": u.Email,
		"name": u.Name, "authenticatedBy": "password",
	}
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(signed))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, digest[:])
	if err != nil {
		return "", err
	}
	raw := make([]byte, 64) // JWS ES256: R and S, 32 bytes each (RFC 7518 3.4)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return signed + "." + base64.RawURLEncoding.EncodeToString(raw), nil
}

// serveKeys answers GET /api/signing-keys/keys with the JWKS, public as in Grafana.
func (s *idSigner) serveKeys(w http.ResponseWriter, _ *http.Request) {
	coord := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	x, y := s.point[1:33], s.point[33:65]
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": s.kid, "x": coord(x), "y": coord(y),
	}}})
}

// idTokenFor is the token to hand the plugin for u's call, or "" without -id-forwarding. Like Grafana's
// ForwardIDMiddleware it replaces any X-Grafana-Id the client sent.
func (s *server) idTokenFor(u *user) string {
	if s.idSigner == nil {
		return ""
	}
	tok, err := s.idSigner.token(u)
	if err != nil {
		s.logger.Error("id forwarding: signing the caller's token", "error", err)
		return ""
	}
	return tok
}
