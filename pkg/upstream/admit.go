package upstream

import "context"

// Admit asks the gate whether the caller of ctx's grant may send method to
// relPath now, without sending anything: an answer served from a cache (the
// query cache) reaches a caller only if the proxy rules would let that
// caller make the call itself. Nothing is sent, so the grant in ctx should
// carry no call budget or rate class (the gate would charge them). Errors
// are *Error, KindDenied wrapping the policy's own error for a refusal.
func (c *Client) Admit(ctx context.Context, method, relPath string) error {
	u, err := JoinPath(c.base, relPath)
	if err != nil {
		return err
	}
	if e := c.admit(ctx, method, u); e != nil {
		return e
	}
	return nil
}
