import { createHash } from 'crypto';

import { generateKey, hashKey, KEY_PREFIX } from './apiKeys';

describe('API keys', () => {
  it('stores sha256:<salt>:<SHA-256(salt || key)>, as the backend verifies', async () => {
    const salt = new Uint8Array(16).map((_, i) => i);
    const stored = await hashKey('rly_secret', salt);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(salt), Buffer.from('rly_secret', 'utf8')]))
      .digest('hex');
    expect(stored).toBe(`sha256:000102030405060708090a0b0c0d0e0f:${expected}`);
  });

  it('generates random keys with a random salt of at least 16 bytes, never storing the key', async () => {
    const a = await generateKey();
    const b = await generateKey();
    expect(a.key).not.toBe(b.key);
    expect(a.key.startsWith(KEY_PREFIX)).toBe(true);
    expect(a.key.length).toBeGreaterThanOrEqual(40);
    const [alg, saltHex, hashHex] = a.hash.split(':');
    expect(alg).toBe('sha256');
    expect(saltHex).toMatch(/^[0-9a-f]{32,}$/);
    expect(hashHex).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.key);
    const recomputed = createHash('sha256')
      .update(Buffer.concat([Buffer.from(saltHex, 'hex'), Buffer.from(a.key)]))
      .digest('hex');
    expect(recomputed).toBe(hashHex);
  });
});
