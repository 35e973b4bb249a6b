/**
 * The units × coders matrix the agreement statistics read (a unit is a pair or an item), its cell
 * conventions, and the conversion from long format (one row per judgment). `null`, `undefined` and
 * numeric NaN all mean "this coder did not rate this unit".
 */

export type Value = string | number;
/** one unit (item/pair) with the values its coders gave; null/undefined = that coder did not rate it */
export type ReliabilityData = ReadonlyArray<ReadonlyArray<Value | null | undefined>>; // units × coders
/** one cell of ReliabilityData: a value, or null/undefined (or NaN) for "not rated" */
export type Cell = Value | null | undefined;

/** True exactly for the cells that mean "not rated": null, undefined and numeric NaN. */
export const isMissing = (v: Cell): v is null | undefined =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

/**
 * Position of each value on an ordered scale: the caller's order, or ascending numbers. Every value
 * in `values` gets a position; throws (naming `what`) on a value missing from `order`, an order
 * that lists a value twice, or strings without an order.
 */
export function rankIndex(values: Iterable<Value>, order: readonly Value[] | undefined, what: string) {
  const seen = [...values];
  if (order) {
    const index = new Map(order.map((v, i) => [v, i] as const));
    if (index.size !== order.length) throw new Error(`${what}: the order lists a value twice`);
    for (const v of seen)
      if (!index.has(v)) throw new Error(`${what}: ${String(v)} is not in the given order`);
    return index;
  }
  if (!seen.every((v) => typeof v === 'number'))
    throw new Error(`${what}: string values need an explicit order`);
  const sorted = (seen as number[]).sort((x, y) => x - y);
  return new Map<Value, number>(sorted.map((v, i) => [v, i]));
}

/**
 * Long format (one row per judgment) → units × coders matrix. Units and coders appear in order of
 * first occurrence; every row of `data` has one cell per coder, null where that coder gave nothing.
 * When a coder rated a unit more than once, the last row wins (even if its value is null).
 */
export function toReliabilityData<T>(
  rows: readonly T[],
  unitOf: (r: T) => string,
  coderOf: (r: T) => string,
  valueOf: (r: T) => Value | null,
): { data: (Value | null)[][]; units: string[]; coders: string[] } {
  const unitIndex = new Map<string, number>();
  const coderIndex = new Map<string, number>();
  // Parallel arrays rather than a tuple per judgment: a million of them is the expected size.
  const unitAt = new Int32Array(rows.length);
  const coderAt = new Int32Array(rows.length);
  const valueAt: (Value | null)[] = new Array(rows.length);
  rows.forEach((row, r) => {
    const unit = unitOf(row);
    const coder = coderOf(row);
    if (!unitIndex.has(unit)) unitIndex.set(unit, unitIndex.size);
    if (!coderIndex.has(coder)) coderIndex.set(coder, coderIndex.size);
    unitAt[r] = unitIndex.get(unit)!;
    coderAt[r] = coderIndex.get(coder)!;
    valueAt[r] = valueOf(row);
  });
  const data = Array.from({ length: unitIndex.size }, () =>
    new Array<Value | null>(coderIndex.size).fill(null),
  );
  for (let r = 0; r < rows.length; r++) data[unitAt[r]!]![coderAt[r]!] = valueAt[r] ?? null;
  return { data, units: [...unitIndex.keys()], coders: [...coderIndex.keys()] };
}
