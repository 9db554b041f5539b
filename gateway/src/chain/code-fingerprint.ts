import { getBytes, hexlify, keccak256 } from 'ethers';
import type { ImmutableReference } from './solidity-compiler.js';

/**
 * Identity of a contract's runtime code for "is this the contract we built?": keccak256 of the code with
 * immutable variables zeroed (their values differ per deployment) and the trailing CBOR metadata removed (it
 * hashes the sources, so a comment-only change would otherwise look like different code). Solidity docs,
 * "Contract Metadata / Encoding of the Metadata Hash in the Bytecode": the last two bytes give the CBOR length.
 * @param runtimeCode 0x-prefixed runtime code (from `eth_getCode` or from the artifact).
 * @param immutableReferences The artifact's `evm.deployedBytecode.immutableReferences`.
 */
export function codeFingerprint(runtimeCode: string, immutableReferences: Readonly<Record<string, readonly ImmutableReference[]>> = {}): string {
  const code = getBytes(runtimeCode);
  for (const ranges of Object.values(immutableReferences)) {
    for (const { start, length } of ranges) {
      if (start + length <= code.length) code.fill(0, start, start + length);
    }
  }
  return keccak256(hexlify(withoutMetadata(code)));
}

function withoutMetadata(code: Uint8Array): Uint8Array {
  if (code.length < 2) return code;
  const cborLength = (code[code.length - 2] << 8) | code[code.length - 1];
  const start = code.length - 2 - cborLength;
  // A CBOR map header (major type 5) marks real metadata; anything else is left as it is.
  if (cborLength === 0 || start < 0 || (code[start] & 0xe0) !== 0xa0) return code;
  return code.subarray(0, start);
}
