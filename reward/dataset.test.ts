import { describe, expect, it } from 'vitest';
import { fitBradleyTerry, type PairSet } from './bradley-terry';
import { restrictRows, subsetPairs } from './dataset';
import { createRng } from './rng';
import { rowCount, toRows, type SparseVector } from './sparse';

describe('restrictRows', () => {
  const rng = createRng(3);
  const vectors: SparseVector[] = Array.from({ length: 40 }, () => ({
    indices: Int32Array.from([0, 1, 2, 3]),
    values: Float32Array.from({ length: 4 }, () => rng() * 2 - 1),
  }));
  const rows = toRows(vectors, 4);
  const pairs: PairSet = {
    a: Int32Array.from({ length: 30 }, (_, i) => i),
    b: Int32Array.from({ length: 30 }, (_, i) => (i * 7 + 3) % 40),
    target: Float64Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 0 : 1)),
    weight: new Float64Array(30).fill(1),
  };

  it('keeps only the rows the pairs compare, and a fit on them is the same fit', () => {
    const sample = subsetPairs(pairs, [0, 1, 2, 5, 8, 13]);
    const restricted = restrictRows(rows, [sample]);
    const used = new Set([...sample.a, ...sample.b]);
    expect(rowCount(restricted.rows)).toBe(used.size);
    const [set] = restricted.sets;
    for (let i = 0; i < sample.a.length; i++) {
      expect([
        ...restricted.rows.values.subarray(
          restricted.rows.rowPtr[set!.a[i]!]!,
          restricted.rows.rowPtr[set!.a[i]! + 1]!,
        ),
      ]).toEqual([...vectors[sample.a[i]!]!.values]);
    }
    const full = fitBradleyTerry(rows, sample, 1e-2).w;
    const small = fitBradleyTerry(restricted.rows, set!, 1e-2).w;
    for (let j = 0; j < 4; j++) expect(small[j]!).toBeCloseTo(full[j]!, 8);
  });

  it('maps several sets through one renumbering', () => {
    const first = subsetPairs(pairs, [0, 1]);
    const second = subsetPairs(pairs, [1, 2]);
    const { rows: kept, sets } = restrictRows(rows, [first, second]);
    // pair 1 appears in both sets and must point at the same rows in each
    expect(sets[0]!.a[1]).toBe(sets[1]!.a[0]);
    expect(sets[0]!.b[1]).toBe(sets[1]!.b[0]);
    expect(rowCount(kept)).toBe(new Set([...first.a, ...first.b, ...second.a, ...second.b]).size);
  });
});
