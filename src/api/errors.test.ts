import { RelayError, toRelayError } from './errors';

describe('toRelayError', () => {
  it('prefers the backend JSON error', () => {
    const e = toRelayError({
      status: 429,
      data: { error: 'rate limit exceeded for read', code: 'rate_limited', status: 429 },
    });
    expect(e).toEqual(
      expect.objectContaining({ message: 'rate limit exceeded for read', code: 'rate_limited', status: 429 })
    );
  });
  it('falls back to text bodies and status text', () => {
    expect(toRelayError({ status: 502, data: 'upstream down\n' }).message).toBe('upstream down');
    expect(toRelayError({ status: 500, statusText: 'Internal Server Error', data: undefined }).message).toBe(
      'Internal Server Error'
    );
    expect(toRelayError({ status: 0, data: undefined }).code).toBe('network');
  });
  it('passes RelayErrors and wraps plain errors', () => {
    const r = new RelayError('x', 'c', 400);
    expect(toRelayError(r)).toBe(r);
    expect(toRelayError(new Error('boom')).message).toBe('boom');
  });
});
