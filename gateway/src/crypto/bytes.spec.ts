import { concatBytes, expectLength, fromBase64Url, fromHex, fromUtf8, toBase64Url, toHex, utf8, wipe } from './bytes.js';

/** RFC 4648 §10 test vectors (base64; the url alphabet only differs in + and /, which these do not use). */
const RFC4648 = [
  ['', ''],
  ['f', 'Zg'],
  ['fo', 'Zm8'],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg'],
  ['fooba', 'Zm9vYmE'],
  ['foobar', 'Zm9vYmFy'],
] as const;

describe('bytes helpers', () => {
  it.each(RFC4648)('encodes %j as the RFC 4648 §10 vector %j without padding', (text, encoded) => {
    expect(toBase64Url(utf8(text))).toBe(encoded);
    expect(fromUtf8(fromBase64Url(encoded))).toBe(text);
  });

  it('decodes the RFC 4648 §10 vectors with their complete padding too', () => {
    expect(fromUtf8(fromBase64Url('Zg=='))).toBe('f');
    expect(fromUtf8(fromBase64Url('Zm8='))).toBe('fo');
    expect(fromUtf8(fromBase64Url('Zm9vYg=='))).toBe('foob');
  });

  it('uses - and _ where base64 uses + and /', () => {
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
    expect(fromBase64Url('-_-_')).toEqual(Uint8Array.of(0xfb, 0xff, 0xbf));
  });

  it('round-trips every byte value and a buffer longer than one 32 KiB encoding chunk', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromBase64Url(toBase64Url(all))).toEqual(all);
    const long = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 0xff);
    const encoded = toBase64Url(long);
    expect(encoded).toBe(Buffer.from(long).toString('base64url'));
    expect(fromBase64Url(encoded)).toEqual(long);
  });

  it.each([
    ['Zg=', 'incomplete padding'],
    ['Zg===', 'too much padding'],
    ['====', 'padding alone'],
    ['Zm9vY', 'a length of 4n+1'],
    ['Zm+v', 'the + of standard base64'],
    ['Zm/v', 'the / of standard base64'],
    ['Zm 9v', 'a space'],
  ])('refuses %j (%s), naming the field', (text) => {
    expect(() => fromBase64Url(text, 'envelope')).toThrow(new TypeError(`envelope: expected base64url, got ${text.length} characters that are not`));
  });

  it('refuses a non-canonical last character, so that one byte string has one text form', () => {
    expect(fromBase64Url('Zg')).toEqual(utf8('f'));
    expect(() => fromBase64Url('Zh', 'compartmentKeys.labs')).toThrow(new TypeError('compartmentKeys.labs: expected canonical base64url, got non-zero unused bits in the last character'));
    expect(() => fromBase64Url('Zm9=')).toThrow(new TypeError('value: expected canonical base64url, got non-zero unused bits in the last character'));
  });

  it('writes lower-case hex and reads it with or without 0x, in either case', () => {
    expect(toHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
    expect(toHex(new Uint8Array(0))).toBe('');
    expect(fromHex('0x0001ABff')).toEqual(Uint8Array.of(0, 1, 0xab, 0xff));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('refuses hex of odd length or with a non-hex digit, without quoting it', () => {
    expect(() => fromHex('abc')).toThrow(new TypeError('expected hex, got 3 characters that are not'));
    expect(() => fromHex('0xzz')).toThrow(new TypeError('expected hex, got 4 characters that are not'));
  });

  it('names what has the wrong length, and what it got', () => {
    expect(expectLength(new Uint8Array(32), 32, 'batch key')).toHaveLength(32);
    expect(() => expectLength(new Uint8Array(31), 32, 'batch key')).toThrow(new TypeError('expected 32-byte batch key, got 31'));
    expect(() => expectLength('key' as unknown as Uint8Array, 32, 'batch key')).toThrow(new TypeError('expected 32-byte batch key, got string'));
  });

  it('decodes UTF-8 strictly: an invalid byte throws rather than becoming U+FFFD', () => {
    expect(fromUtf8(utf8('Grüße ✓'))).toBe('Grüße ✓');
    // Node's TextDecoder throws a TypeError of its own realm, so compare its name and message rather than its class.
    let error: unknown;
    try {
      fromUtf8(Uint8Array.of(0x66, 0xff));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'TypeError', message: 'The encoded data was not valid for encoding utf-8' });
  });

  it('concatenates into a new array', () => {
    const a = Uint8Array.of(1, 2);
    const joined = concatBytes(a, new Uint8Array(0), Uint8Array.of(3));
    expect(joined).toEqual(Uint8Array.of(1, 2, 3));
    joined[0] = 9;
    expect(a[0]).toBe(1);
  });

  it('wipes every buffer it is given, skips undefined, and touches only a subarray’s own bytes', () => {
    const a = Uint8Array.of(1, 2, 3);
    const b = Uint8Array.of(4, 5, 6, 7);
    wipe(a, undefined, b.subarray(1, 3));
    expect(a).toEqual(Uint8Array.of(0, 0, 0));
    expect(b).toEqual(Uint8Array.of(4, 0, 0, 7));
  });
});
