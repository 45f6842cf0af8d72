/**
 * API keys for machine callers. The key is generated in the browser, shown
 * once, and only its salted hash is stored (secureJsonData
 * "apiKeyHash.<name>" = "sha256:<saltHex>:<hashHex>", hash = SHA-256(salt ||
 * UTF-8 key)), which is what the backend verifies (pkg/settings, pkg/authz).
 */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const KEY_PREFIX = 'rly_';
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export function hashField(name: string): `apiKeyHash.${string}` {
  return `apiKeyHash.${name}`;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function toBase64Url(b: Uint8Array): string {
  let s = '';
  b.forEach((x) => (s += String.fromCharCode(x)));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

export async function hashKey(key: string, salt: Uint8Array): Promise<string> {
  const keyBytes = new TextEncoder().encode(key);
  const input = new Uint8Array(salt.length + keyBytes.length);
  input.set(salt, 0);
  input.set(keyBytes, salt.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  return `sha256:${toHex(salt)}:${toHex(digest)}`;
}

export interface GeneratedKey {
  /** The secret: shown once, never stored. */
  key: string;
  /** What is stored. */
  hash: string;
}

export async function generateKey(): Promise<GeneratedKey> {
  if (!globalThis.crypto?.subtle) {
    throw new Error('This browser cannot generate keys here: Web Crypto needs a secure context (HTTPS or localhost).');
  }
  const key = KEY_PREFIX + toBase64Url(randomBytes(KEY_BYTES));
  return { key, hash: await hashKey(key, randomBytes(SALT_BYTES)) };
}
