/** Byte helpers that behave the same in Node and in browsers (no Buffer). */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes text as UTF-8. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 strictly: invalid bytes throw instead of turning into U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Base64url without padding (RFC 4648 §5), the encoding of every key and ciphertext on the wire. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Parses base64url (RFC 4648 §5); padding is optional but, when present, must be complete. Only the canonical
 * encoding is accepted (RFC 4648 §3.5: the unused bits of the last character are zero), so one byte string has
 * one text form. `what` names the field in the error.
 */
export function fromBase64Url(text: string, what = 'value'): Uint8Array {
  const unpadded = text.replace(/={1,2}$/, '');
  const badPadding = unpadded !== text && text.length % 4 !== 0;
  if (badPadding || !BASE64URL.test(unpadded) || unpadded.length % 4 === 1) throw new TypeError(`${what}: expected base64url, got ${text.length} characters that are not`);
  const binary = atob(unpadded.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  if (toBase64Url(out) !== unpadded) throw new TypeError(`${what}: expected canonical base64url, got non-zero unused bits in the last character`);
  return out;
}

/** Lower-case hex without a prefix. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Parses hex, with or without a `0x` prefix; an odd length or a non-hex digit throws. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new TypeError(`expected hex, got ${hex.length} characters that are not`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** Checks a byte length, naming the value: `expected 32-byte key, got 31`. */
export function expectLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new TypeError(`expected ${length}-byte ${what}, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
  }
  return bytes;
}

/** Overwrites secret bytes once they are no longer needed (style.md: wipe key buffers after use). */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}
