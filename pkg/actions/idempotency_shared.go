package actions

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// SharedIdempotency keeps Idempotency-Key claims and answers for a Grafana
// fleet (pkg/shared on Redis), so a key sent to two replicas runs the action
// once. Each method returns within its own short timeout; an error means the
// store is unavailable.
type SharedIdempotency interface {
	// Begin claims key for a run with fingerprint, for at most hold. When
	// another run holds or held it, claim is "" and heldFP is that run's
	// fingerprint, with its stored answer (nil while it still runs).
	Begin(ctx context.Context, key, fingerprint string, hold time.Duration) (claim, heldFP string, answer []byte, err error)
	// Finish replaces the claim with the run's answer, kept for ttl.
	Finish(ctx context.Context, key, fingerprint string, answer []byte, ttl time.Duration) error
	// Abandon frees the key of a run that did not reach the upstream.
	Abandon(ctx context.Context, key, claim string) error
}

// sharedDo is do across the fleet. It differs from the in-process store in
// two ways the fleet forces: a concurrent duplicate is answered 409 at once
// (waiting on another process would hold a request open for as long as the
// first run takes), and when the store cannot be asked the action is not run
// at all (503): running it could run it twice.
//
// The claim is held for the whole replay TTL: if this replica dies, or loses
// Redis, after calling the upstream but before storing the answer, the key
// answers 409 until it expires rather than letting a retry run it again.
func (s *Service) sharedDo(ctx context.Context, key string, fp [32]byte, run func() outcome) (outcome, bool) {
	fps := hex.EncodeToString(fp[:])
	claim, heldFP, answer, err := s.shared.Begin(ctx, key, fps, IdempotencyTTL)
	switch {
	case err != nil:
		return outcome{err: sharedUnavailable()}, false
	case claim == "" && heldFP != fps:
		return outcome{err: keyReused()}, false
	case claim == "" && answer == nil:
		e := apierr.New(http.StatusConflict, "idempotency_in_progress",
			"a request with this Idempotency-Key is still running; retry later to get its answer")
		e.RetryAfter = 1
		return outcome{err: e}, false
	case claim == "":
		out, ok := decodeOutcome(answer)
		if !ok {
			return outcome{err: apierr.Internal()}, false
		}
		return out, true
	}
	out := outcome{err: apierr.Internal()}
	defer func() {
		// Detached: the answer is stored even if the caller went away.
		bg := context.WithoutCancel(ctx)
		if out.keep() {
			_ = s.shared.Finish(bg, key, fps, encodeOutcome(out), IdempotencyTTL)
		} else {
			_ = s.shared.Abandon(bg, key, claim)
		}
	}()
	out = run()
	return out, false
}

func sharedUnavailable() *apierr.Error {
	e := apierr.New(http.StatusServiceUnavailable, "shared_state_unavailable",
		"the shared state (Redis) that keeps Idempotency-Key answers across Grafana replicas is unavailable, "+
			"so the action was not run (it could otherwise run twice); retry later")
	e.RetryAfter = 1
	return e
}

func keyReused() *apierr.Error {
	return apierr.New(http.StatusUnprocessableEntity, "idempotency_key_reused",
		"this Idempotency-Key was used for a different request to this action; use a new key")
}

// storedOutcome is a kept outcome as the shared store holds it.
type storedOutcome struct {
	Status int             `json:"status"`
	Result json.RawMessage `json:"result"`
}

func encodeOutcome(out outcome) []byte {
	res, _ := json.Marshal(out.result) // plain values and raw JSON: cannot fail
	b, _ := json.Marshal(storedOutcome{Status: out.status, Result: res})
	return b
}

// decodeOutcome keeps the body's JSON as it was (raw), so a replay answers
// the same bytes as the first run.
func decodeOutcome(b []byte) (outcome, bool) {
	var so storedOutcome
	if json.Unmarshal(b, &so) != nil {
		return outcome{}, false
	}
	type plain Result
	var r Result
	aux := struct {
		*plain
		Body json.RawMessage `json:"body"`
	}{plain: (*plain)(&r)}
	if json.Unmarshal(so.Result, &aux) != nil {
		return outcome{}, false
	}
	r.Body = aux.Body
	r.bodyBytes = len(aux.Body)
	return outcome{result: &r, status: so.Status}, true
}
