import { sha256 } from '@noble/hashes/sha2.js';
import { consistencyProof, emptyRoot, inclusionProof, leafHash, MerkleLevels, nodeHash, rootOf, splitPoint, verifyConsistency, verifyInclusion } from './merkle.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Known answers of the RFC 6962 reference implementations (Google's certificate-transparency, now
 * transparency-dev/merkle testonly/constants.go and reference_test.go): eight leaf inputs, the roots of every tree
 * of 0 to 8 of them, and proofs.
 */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAF_HASHES = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];
const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  { index: 0, size: 2, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7'] },
  { index: 1, size: 2, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const CONSISTENCY: { first: number; second: number; proof: string[] }[] = [
  { first: 1, second: 1, proof: [] },
  { first: 1, second: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];

const leaves = LEAF_INPUTS.map(leafHash);

/** Leaf hashes of a synthetic log of n entries. */
function log(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 0x2a)));
}

describe('RFC 6962 / 9162 Merkle tree', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes, and the empty tree as SHA-256("")', () => {
    expect(leaves.map(toHex)).toEqual(LEAF_HASHES);
    expect(toHex(nodeHash(leaves[0]!, leaves[1]!))).toBe(toHex(sha256(Uint8Array.of(0x01, ...leaves[0]!, ...leaves[1]!))));
    expect(toHex(emptyRoot())).toBe(ROOTS[0]);
    expect([2, 3, 4, 5, 8, 9, 28937].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 16384]);
  });

  it('gives the reference roots of every tree of 0 to 8 leaves', () => {
    expect(ROOTS.map((_, size) => toHex(rootOf(leaves, size)))).toEqual(ROOTS);
  });

  it.each(INCLUSION)('builds and verifies the reference inclusion proof of leaf $index in a tree of $size', ({ index, size, proof }) => {
    expect(inclusionProof(leaves, index, size).map(toHex)).toEqual(proof);
    expect(verifyInclusion(leaves[index]!, index, size, proof.map(hex), hex(ROOTS[size]!))).toBe(true);
  });

  it.each(CONSISTENCY)('builds and verifies the reference consistency proof from $first to $second', ({ first, second, proof }) => {
    expect(consistencyProof(leaves, first, second).map(toHex)).toEqual(proof);
    expect(verifyConsistency(first, second, hex(ROOTS[first]!), hex(ROOTS[second]!), proof.map(hex))).toBe(true);
  });

  it('proves and verifies every leaf of every tree of 1 to 130 leaves, and nothing else', () => {
    const all = log(131);
    let checked = 0;
    for (let size = 1; size <= 130; size++) {
      const root = rootOf(all, size);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(all, index, size);
        expect(verifyInclusion(all[index]!, index, size, proof, root)).toBe(true);
        // The same proof for a neighbour, a wrong size or a flipped bit does not verify.
        if (size > 1) expect(verifyInclusion(all[(index + 1) % size]!, index, size, proof, root)).toBe(false);
        // Against the next tree head (size + 1 and its root) it verifies only where the audit path did not change.
        if (size < all.length) {
          const unchanged = inclusionProof(all, index, size + 1).map(toHex).join() === proof.map(toHex).join();
          expect(verifyInclusion(all[index]!, index, size + 1, proof, rootOf(all, size + 1))).toBe(unchanged);
        }
        if (proof.length > 0) {
          const bent = proof.map((p) => Uint8Array.from(p));
          bent[index % bent.length]![0] ^= 1;
          expect(verifyInclusion(all[index]!, index, size, bent, root)).toBe(false);
        }
        checked++;
      }
    }
    expect(checked).toBe((130 * 131) / 2);
  });

  it('proves and verifies consistency between every pair of sizes up to 100, and refuses rewritten history', () => {
    const all = log(100);
    const roots = all.map((_, i) => rootOf(all, i + 1));
    let checked = 0;
    for (let second = 1; second <= all.length; second++) {
      for (let first = 1; first <= second; first++) {
        const proof = consistencyProof(all, first, second);
        expect(verifyConsistency(first, second, roots[first - 1]!, roots[second - 1]!, proof)).toBe(true);
        if (first < second) {
          // Another first root (history rewritten) or another second root does not verify with this proof.
          expect(verifyConsistency(first, second, roots[second - 1]!, roots[second - 1]!, proof)).toBe(false);
          expect(verifyConsistency(first, second, roots[first - 1]!, roots[first - 1]!, proof)).toBe(false);
          const bent = proof.map((p) => Uint8Array.from(p));
          bent[bent.length - 1]![31] ^= 0x80;
          expect(verifyConsistency(first, second, roots[first - 1]!, roots[second - 1]!, bent)).toBe(false);
        }
        checked++;
      }
    }
    expect(checked).toBe((100 * 101) / 2);
  });

  it('MerkleLevels (stored complete subtrees) gives the reference roots, and proves and verifies every leaf of every size to 300 as the leaves do', () => {
    const tree = new MerkleLevels();
    const all = Array.from({ length: 300 }, (_, i) => leafHash(Uint8Array.of(i & 0xff, i >> 8)));
    expect(ROOTS.slice(1).map((_, i) => { const t = new MerkleLevels(); leaves.slice(0, i + 1).forEach((l) => t.append(l)); return toHex(rootOf(t)); })).toEqual(ROOTS.slice(1));
    for (const [size, leaf] of all.entries()) {
      tree.append(leaf);
      const n = size + 1;
      expect(tree.size).toBe(n);
      expect(toHex(rootOf(tree))).toBe(toHex(rootOf(all, n)));
      const root = rootOf(tree);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(tree, i);
        expect(proof.map(toHex)).toEqual(inclusionProof(all, i, n).map(toHex));
        expect(verifyInclusion(all[i]!, i, n, proof, root)).toBe(true);
      }
      for (const m of [1, n, Math.ceil(n / 2), Math.max(1, n - 7)]) expect(consistencyProof(tree, m).map(toHex)).toEqual(consistencyProof(all, m, n).map(toHex));
    }
    expect(toHex(tree.leaf(299))).toBe(toHex(all[299]!));
    expect(() => tree.leaf(300)).toThrow(RangeError);
    expect(() => tree.append(new Uint8Array(31))).toThrow('expected a 32-byte hash, got 31 bytes');
  });

  it('refuses out-of-range indexes and sizes', () => {
    expect(() => inclusionProof(leaves, 8, 8)).toThrow('index: expected 0 to 7, got 8');
    expect(() => consistencyProof(leaves, 0, 8)).toThrow('first: expected 1 to 8, got 0');
    expect(() => rootOf(leaves, 9)).toThrow('size: expected at most 8 (the leaves given), got 9');
    expect(verifyInclusion(leaves[0]!, 1, 1, [], hex(ROOTS[1]!))).toBe(false);
    expect(verifyConsistency(3, 2, hex(ROOTS[3]!), hex(ROOTS[2]!), [])).toBe(false);
    expect(verifyConsistency(2, 5, hex(ROOTS[2]!), hex(ROOTS[5]!), [])).toBe(false);
  });
});
