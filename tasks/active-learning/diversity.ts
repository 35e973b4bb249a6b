/**
 * Spreading a batch over feature space. Units are embedded by a seeded random projection of their
 * sparse features (distances survive it, Johnson-Lindenstrauss), then a greedy k-center pick takes
 * the best-scored unit and, one at a time, the unit farthest from everything taken so far: a batch
 * of near-duplicates cannot come out of it, which plain top-k uncertainty happily produces.
 */
import { fmix } from '../../reward/hash';
import type { SparseRows } from '../../reward/sparse';

export const DEFAULT_EMBEDDING_DIMS = 32;

/**
 * Row r of `rows` minus row `minus[r]` when given (a pair: φ(A) − φ(B)), projected to `dims`
 * dimensions with ±1 signs hashed from (feature, dimension) and L2-normalized. Row-major output.
 */
export function projectRows(
  rows: SparseRows,
  pick: { plus: ArrayLike<number>; minus?: ArrayLike<number> },
  dims = DEFAULT_EMBEDDING_DIMS,
): Float32Array {
  const n = pick.plus.length;
  const out = new Float32Array(n * dims);
  const add = (r: number, sign: number, base: number) => {
    for (let p = rows.rowPtr[r]!; p < rows.rowPtr[r + 1]!; p++) {
      const feature = rows.indices[p]!;
      const v = sign * rows.values[p]!;
      // one 32-bit hash per feature gives 32 signs; more dimensions rehash
      for (let d0 = 0; d0 < dims; d0 += 32) {
        const bits = fmix((Math.imul(feature, 0x9e3779b1) + d0) | 0);
        for (let d = d0; d < Math.min(dims, d0 + 32); d++) out[base + d]! += (bits >>> (d - d0)) & 1 ? v : -v;
      }
    }
  };
  for (let i = 0; i < n; i++) {
    const base = i * dims;
    add(pick.plus[i]!, 1, base);
    if (pick.minus) add(pick.minus[i]!, -1, base);
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += out[base + d]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dims; d++) out[base + d]! /= norm;
  }
  return out;
}

function squaredDistance(embedding: Float32Array, dims: number, a: number, b: number): number {
  let s = 0;
  for (let d = 0; d < dims; d++) {
    const x = embedding[a * dims + d]! - embedding[b * dims + d]!;
    s += x * x;
  }
  return s;
}

/**
 * Greedy batch selection over `size` embedded points (row-major, best first): starts from point 0,
 * then repeatedly takes the point that maximizes quality × distance to its nearest taken point.
 * Without `quality` this is plain greedy k-center (the farthest point each time), which is drawn to
 * outliers; weighting by the policy's score keeps the spread among points worth asking about.
 * Ties go to the earlier (better) point. Returns point positions in the order taken.
 */
export function kCenterGreedy(
  embedding: Float32Array,
  dims: number,
  size: number,
  k: number,
  quality?: ArrayLike<number>,
): number[] {
  if (size === 0 || k <= 0) return [];
  const nearest = new Float64Array(size).fill(Infinity);
  const taken = new Uint8Array(size);
  const out: number[] = [];
  let next = 0;
  while (out.length < Math.min(k, size)) {
    taken[next] = 1;
    out.push(next);
    let far = -1;
    let best = -1;
    for (let j = 0; j < size; j++) {
      if (taken[j]) continue;
      nearest[j] = Math.min(nearest[j]!, Math.sqrt(squaredDistance(embedding, dims, next, j)));
      const value = nearest[j]! * (quality ? quality[j]! : 1);
      if (value > best) {
        best = value;
        far = j;
      }
    }
    if (far < 0) break;
    next = far;
  }
  return out;
}

/** A CandidateSet embedding function over embeddings computed for every unit up front. */
export function embeddingLookup(
  full: Float32Array,
  dims: number,
): (units: readonly number[]) => Float32Array {
  return (units) => {
    const out = new Float32Array(units.length * dims);
    units.forEach((u, i) => out.set(full.subarray(u * dims, u * dims + dims), i * dims));
    return out;
  };
}
