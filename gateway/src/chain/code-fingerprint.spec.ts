import { keccak256 } from 'ethers';
import { codeFingerprint } from './code-fingerprint.js';

// Runtime code ending in solc's CBOR metadata: a2 64 'ipfs' 58 22 <34 bytes> 64 'solc' 43 <3 bytes>, then 0x0033.
const body = '6080604052348015600e575f80fd5b50';
const metadata = (fill: string) => `a2646970667358221220${fill.repeat(32)}64736f6c634300081e0033`;

describe('codeFingerprint', () => {
  it('ignores the CBOR metadata trailer, so a comment-only change keeps the fingerprint', () => {
    expect(codeFingerprint(`0x${body}${metadata('11')}`)).toBe(codeFingerprint(`0x${body}${metadata('22')}`));
    expect(codeFingerprint(`0x${body}${metadata('11')}`)).toBe(keccak256(`0x${body}`));
  });

  it('tells different code apart', () => {
    expect(codeFingerprint(`0x${body.replace('0e', '0f')}${metadata('11')}`)).not.toBe(codeFingerprint(`0x${body}${metadata('11')}`));
  });

  it('zeroes immutable values, which differ per deployment', () => {
    const refs = { '7': [{ start: 2, length: 2 }] };
    expect(codeFingerprint('0x6080ffff5b', refs)).toBe(codeFingerprint('0x608000005b', refs));
    expect(codeFingerprint('0x6080ffff5b')).not.toBe(codeFingerprint('0x608000005b'));
  });

  it('hashes code without a metadata trailer as it is', () => {
    expect(codeFingerprint('0x6080')).toBe(keccak256('0x6080'));
    expect(codeFingerprint('0x')).toBe(keccak256('0x'));
  });
});
