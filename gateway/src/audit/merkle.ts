import { sha256 } from '@noble/hashes/sha2.js';

/**
 * The audit log's Merkle tree (design.md §2.4): RFC 6962 §2.1 / RFC 9162 §2.1 with SHA-256 —
 * leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), the empty tree's root SHA-256(""). Proofs
 * are built from the leaf hashes (PATH and SUBPROOF, RFC 9162 §2.1.3.1 and §2.1.4.1) and verified with the RFC's
 * iterative algorithms (§2.1.3.2, §2.1.4.2), which need only the proof, the sizes and the roots. Browser-safe
 * (@noble/hashes): the regulator's view checks proofs in the browser with this same code.
 *
 * Sizes and indexes are JavaScript numbers (exact to 2^53); shifts are divisions, never 32-bit bit operations.
 */

export type Hash = Uint8Array;

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Hash {
  return sha256.create().update(LEAF).update(entry).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256.create().update(NODE).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Hash {
  return sha256(new Uint8Array(0));
}

/** The largest power of two strictly smaller than n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name}: expected a whole number from 0 to 2^53, got ${String(n)}`);
}

/**
 * Where proofs read subtree roots from: MTH(D[lo:hi]) for any range of the first {@link size} leaves. A plain
 * array of leaf hashes (memoized per array) or a {@link MerkleLevels} (stored complete subtrees).
 */
export interface SubtreeSource {
  readonly size: number;
  subtree(lo: number, hi: number): Hash;
}

/**
 * Subtree roots already computed for one list of leaf hashes, so that many proofs over the same log (every leaf,
 * every earlier size) cost a lookup per complete subtree instead of rehashing it. Keyed by the leaves array, which
 * callers only ever append to (an append-only log): a range's root never changes once all its leaves exist.
 */
const memo = new WeakMap<readonly Hash[], Map<string, Hash>>();

/** MTH(D[lo:hi]) over leaf hashes (RFC 9162 §2.1.1). */
function subtreeRoot(leaves: readonly Hash[], lo: number, hi: number): Hash {
  const n = hi - lo;
  if (n === 0) return emptyRoot();
  if (n === 1) return leaves[lo]!;
  let known = memo.get(leaves);
  if (!known) memo.set(leaves, (known = new Map()));
  const key = `${lo}:${hi}`;
  let root = known.get(key);
  if (!root) {
    const k = splitPoint(n);
    root = nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
    known.set(key, root);
  }
  return root;
}

function sourceOf(leaves: readonly Hash[] | SubtreeSource): SubtreeSource {
  if (!Array.isArray(leaves)) return leaves as SubtreeSource;
  const array = leaves as readonly Hash[];
  return { size: array.length, subtree: (lo, hi) => subtreeRoot(array, lo, hi) };
}

/**
 * An append-only Merkle tree that stores every complete, aligned subtree: level 0 holds the leaf hashes, level
 * l the roots of the blocks [j·2^l, (j+1)·2^l). Any MTH(D[lo:hi]) the RFC's recursion asks for then costs at
 * most one lookup per level (its left parts are always aligned complete blocks), so roots and proofs of any
 * size are O(log n) hashes. Memory: about 2n hashes of 32 bytes, in one growing buffer per level.
 */
export class MerkleLevels implements SubtreeSource {
  private readonly levels: Uint8Array[] = [];
  private readonly counts: number[] = [];

  get size(): number {
    return this.counts[0] ?? 0;
  }

  /** Appends one leaf hash (32 bytes) and every subtree it completes. */
  append(leaf: Hash): void {
    if (leaf.length !== 32) throw new RangeError(`leaf: expected a 32-byte hash, got ${leaf.length} bytes`);
    let node = leaf;
    for (let level = 0; ; level++) {
      const index = this.push(level, node);
      if (index % 2 === 0) return;
      node = nodeHash(this.node(level, index - 1), node);
    }
  }

  /** The stored hash of block `index` at `level`. */
  node(level: number, index: number): Hash {
    const bytes = this.levels[level]!;
    return bytes.subarray(index * 32, index * 32 + 32);
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Hash {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) throw new RangeError(`index: expected 0 to ${this.size - 1}, got ${String(index)}`);
    return this.node(0, index);
  }

  subtree(lo: number, hi: number): Hash {
    const n = hi - lo;
    if (n === 0) return emptyRoot();
    if (!isAlignedPower(lo, n)) {
      const k = splitPoint(n);
      return nodeHash(this.subtree(lo, lo + k), this.subtree(lo + k, hi));
    }
    const level = Math.log2(n);
    return this.node(level, lo / n);
  }

  private push(level: number, hash: Hash): number {
    const count = this.counts[level] ?? 0;
    let bytes = this.levels[level];
    if (!bytes || bytes.length < (count + 1) * 32) {
      const grown = new Uint8Array(Math.max(1024, (count + 1) * 32 * 2));
      if (bytes) grown.set(bytes.subarray(0, count * 32));
      this.levels[level] = bytes = grown;
    }
    bytes.set(hash, count * 32);
    this.counts[level] = count + 1;
    return count;
  }
}

/** True when n is a power of two and lo a multiple of it (safe for sizes beyond 32-bit operations). */
function isAlignedPower(lo: number, n: number): boolean {
  return isPowerOfTwo(n) && lo % n === 0;
}

/** The tree head's root hash over the first `size` leaf hashes (all of them by default). */
export function rootOf(leaves: readonly Hash[] | SubtreeSource, size?: number): Hash {
  const source = sourceOf(leaves);
  const n = size ?? source.size;
  checkSize(n, 'size');
  if (n > source.size) throw new RangeError(`size: expected at most ${source.size} (the leaves given), got ${n}`);
  return source.subtree(0, n);
}

/** The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1 PATH), leaf to root. */
export function inclusionProof(leaves: readonly Hash[] | SubtreeSource, index: number, size?: number): Hash[] {
  const source = sourceOf(leaves);
  const n = size ?? source.size;
  checkSize(n, 'size');
  if (n > source.size) throw new RangeError(`size: expected at most ${source.size} (the leaves given), got ${n}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) throw new RangeError(`index: expected 0 to ${n - 1}, got ${String(index)}`);
  const path: Hash[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const span = hi - lo;
    if (span <= 1) return;
    const k = splitPoint(span);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(source.subtree(lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(source.subtree(lo, lo + k));
    }
  };
  walk(index, 0, n);
  return path;
}

/** The consistency proof from the tree of the first `first` leaves to that of the first `second` (RFC 9162 §2.1.4.1). */
export function consistencyProof(leaves: readonly Hash[] | SubtreeSource, first: number, second?: number): Hash[] {
  const source = sourceOf(leaves);
  const n = second ?? source.size;
  checkSize(n, 'second');
  if (n > source.size) throw new RangeError(`second: expected at most ${source.size} (the leaves given), got ${n}`);
  if (!Number.isSafeInteger(first) || first < 1 || first > n) throw new RangeError(`first: expected 1 to ${n}, got ${String(first)}`);
  const proof: Hash[] = [];
  const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
    const span = hi - lo;
    if (m === span) {
      if (!complete) proof.push(source.subtree(lo, hi));
      return;
    }
    const k = splitPoint(span);
    if (m <= k) {
      sub(m, lo, lo + k, complete);
      proof.push(source.subtree(lo + k, hi));
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push(source.subtree(lo, lo + k));
    }
  };
  sub(first, 0, n, true);
  return proof;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2: true when `proof` shows the leaf hash at `index` in the tree of `size` with root `root`. */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the tree (`second`, `secondRoot`) extends (`first`, `firstRoot`). */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: readonly Hash[]): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  // A first tree whose size is a power of two is a complete subtree of the second: its root starts the path.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}
