/**
 * Crowd labels as plain rows (item, annotator, label as strings, optional weight) and their
 * encoding into integer indices, shared by majority vote and Dawid-Skene so both see the same
 * class order and the same validation.
 */

export interface LabelRow {
  item: string;
  annotator: string;
  label: string;
  /** how much this one label counts (default 1); 0 ignores it */
  weight?: number;
}

/** Rows turned into integer indices once, so the EM loops touch only typed arrays. */
export interface Encoded {
  classes: string[];
  items: string[];
  annotators: string[];
  classIndex: Map<string, number>;
  itemIndex: Map<string, number>;
  item: Int32Array;
  annotator: Int32Array;
  label: Int32Array;
  weight: Float64Array;
  totalWeight: number;
}

/**
 * Encodes `rows`: classes are `explicitClasses` in their order (throws if one repeats), else the
 * labels sorted, so the order never depends on row order; items and annotators are indexed in
 * first-seen order. Zero-weight rows register their item and annotator but are left out of the
 * index arrays. Throws on a label outside the classes or a weight that is not finite and ≥ 0.
 */
export function encode(rows: readonly LabelRow[], explicitClasses?: readonly string[]): Encoded {
  let classes: string[];
  if (explicitClasses) {
    classes = [...explicitClasses];
    if (new Set(classes).size !== classes.length) throw new Error('classes must not repeat');
  } else {
    const seen = new Set<string>();
    for (const row of rows) seen.add(row.label);
    // Sorted rather than first-seen, so the class order (and with it tie-breaking) does not
    // depend on the order the rows arrive in.
    classes = [...seen].sort();
  }
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const itemIndex = new Map<string, number>();
  const annotatorIndex = new Map<string, number>();
  const items: string[] = [];
  const annotators: string[] = [];
  const item = new Int32Array(rows.length);
  const annotator = new Int32Array(rows.length);
  const label = new Int32Array(rows.length);
  const weight = new Float64Array(rows.length);
  let n = 0;
  let totalWeight = 0;
  for (const row of rows) {
    const k = classIndex.get(row.label);
    if (k === undefined) throw new Error(`label "${row.label}" is not one of the classes`);
    const w = row.weight ?? 1;
    if (!Number.isFinite(w) || w < 0) throw new Error(`label weight must be a finite number ≥ 0, got ${w}`);
    let i = itemIndex.get(row.item);
    if (i === undefined) {
      i = items.length;
      itemIndex.set(row.item, i);
      items.push(row.item);
    }
    let j = annotatorIndex.get(row.annotator);
    if (j === undefined) {
      j = annotators.length;
      annotatorIndex.set(row.annotator, j);
      annotators.push(row.annotator);
    }
    // A zero-weight label still makes its item and annotator known, but it must not enter the
    // loops: 0 · log(0) is NaN when a confusion cell is exactly 0 (smoothing 0).
    if (w === 0) continue;
    item[n] = i;
    annotator[n] = j;
    label[n] = k;
    weight[n] = w;
    totalWeight += w;
    n++;
  }
  return {
    classes,
    items,
    annotators,
    classIndex,
    itemIndex,
    item: item.subarray(0, n),
    annotator: annotator.subarray(0, n),
    label: label.subarray(0, n),
    weight: weight.subarray(0, n),
    totalWeight,
  };
}
