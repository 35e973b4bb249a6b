/**
 * Sparse feature vectors and row-compressed batches of them. Featurizers produce these; the
 * trainer, the in-process scorer and the ONNX scorer all read the same layout.
 */

/** One text's features: strictly increasing `indices` into [0, dim), one value each. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Many vectors in CSR layout: row r spans [rowPtr[r], rowPtr[r + 1]) of indices/values. */
export interface SparseRows {
  dim: number;
  rowPtr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Packs vectors into one CSR batch (copies; the vectors may be dropped afterwards). */
export function toRows(vectors: readonly SparseVector[], dim: number): SparseRows {
  const rowPtr = new Int32Array(vectors.length + 1);
  for (let r = 0; r < vectors.length; r++) rowPtr[r + 1] = rowPtr[r]! + vectors[r]!.indices.length;
  const nnz = rowPtr[vectors.length]!;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < vectors.length; r++) {
    indices.set(vectors[r]!.indices, rowPtr[r]!);
    values.set(vectors[r]!.values, rowPtr[r]!);
  }
  return { dim, rowPtr, indices, values };
}

export function rowCount(rows: SparseRows): number {
  return rows.rowPtr.length - 1;
}

/** The vector of row `r` (views, not copies). */
export function rowAt(rows: SparseRows, r: number): SparseVector {
  const start = rows.rowPtr[r]!;
  const end = rows.rowPtr[r + 1]!;
  return { indices: rows.indices.subarray(start, end), values: rows.values.subarray(start, end) };
}

/** Rows `ids` of `rows`, as a new batch. */
export function selectRows(rows: SparseRows, ids: ArrayLike<number>): SparseRows {
  const vectors: SparseVector[] = [];
  for (let i = 0; i < ids.length; i++) vectors.push(rowAt(rows, ids[i]!));
  return toRows(vectors, rows.dim);
}

/**
 * Renumbers the features that occur in `rows` to [0, used): on small data most of the hash space
 * is empty, and L-BFGS's vector work is proportional to the dimension it is given.
 */
export function compactColumns(rows: SparseRows): { indices: Int32Array; original: Int32Array } {
  const slot = new Int32Array(rows.dim).fill(-1);
  const original: number[] = [];
  const indices = new Int32Array(rows.indices.length);
  // first pass in index order keeps the renumbering monotone, so rows stay sorted
  const present = new Uint8Array(rows.dim);
  for (let p = 0; p < rows.indices.length; p++) present[rows.indices[p]!] = 1;
  for (let j = 0; j < rows.dim; j++) {
    if (present[j]) {
      slot[j] = original.length;
      original.push(j);
    }
  }
  for (let p = 0; p < rows.indices.length; p++) indices[p] = slot[rows.indices[p]!]!;
  return { indices, original: Int32Array.from(original) };
}
