/**
 * "The others' majority": for every judgment, the majority answer of the OTHER annotators on the
 * same item, the reference of leave-one-out agreement and length bias. One linear pass: strings are
 * interned to integers once and items grouped by counting sort, so a project's whole history
 * (a million judgments) costs time linear in the rows.
 */

/** The fields of a judgment the others' majority reads (a JudgmentRow has them all). */
export interface MajorityRow {
  annotator: string;
  item: string;
  answer: string;
  isGold?: boolean;
  isRepeat?: boolean;
}

/** Stable counting sort of `indices` by `keys[index]`, keys in 0..k-1. */
function countingSort(indices: Int32Array, keys: Int32Array, k: number): Int32Array {
  const starts = new Int32Array(k + 1);
  for (const i of indices) starts[keys[i]! + 1]!++;
  for (let key = 0; key < k; key++) starts[key + 1]! += starts[key]!;
  const out = new Int32Array(indices.length);
  for (const i of indices) out[starts[keys[i]!]!++] = i;
  return out;
}

function intern(ids: Map<string, number>, value: string): number {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ids.size));
  return id;
}

/**
 * For every row, the majority answer of the OTHER annotators on its item: the most frequent of
 * their answers, strictly more frequent than any other. null when they are level, have no
 * answers, or the row is gold or a repeat (those are checked against a key or against the
 * annotator, not against the crowd, and would double-count an item). If an annotator answered
 * an item more than once, all of their answers are left out of "the others".
 */
export function othersMajority(rows: readonly MajorityRow[]): (string | null)[] {
  const out = new Array<string | null>(rows.length).fill(null);
  const annotatorIds = new Map<string, number>();
  const itemIds = new Map<string, number>();
  const answerIds = new Map<string, number>();
  const source = new Int32Array(rows.length);
  const annotator = new Int32Array(rows.length);
  const item = new Int32Array(rows.length);
  const answer = new Int32Array(rows.length);
  let m = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.isGold || row.isRepeat) continue;
    source[m] = i;
    annotator[m] = intern(annotatorIds, row.annotator);
    item[m] = intern(itemIds, row.item);
    answer[m] = intern(answerIds, row.answer);
    m++;
  }
  const answers = [...answerIds.keys()];
  // Grouped by item, and by annotator within an item, so each annotator's own answers are
  // contiguous; then gathered into sorted copies so the scan below reads memory in order.
  const all = new Int32Array(m);
  for (let i = 0; i < m; i++) all[i] = i;
  const order = countingSort(countingSort(all, annotator, annotatorIds.size), item, itemIds.size);
  const sItem = new Int32Array(m);
  const sAnnotator = new Int32Array(m);
  const sAnswer = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const o = order[r]!;
    sItem[r] = item[o]!;
    sAnnotator[r] = annotator[o]!;
    sAnswer[r] = answer[o]!;
  }

  const count = new Int32Array(answers.length);
  const own = new Int32Array(answers.length);
  // distinct answers of the item by count, descending (usually 1–3 of them: insertion sort)
  const seen = new Int32Array(answers.length);
  const byCountDesc = (x: number, y: number) => count[y]! - count[x]!;
  const ownSeen = new Int32Array(answers.length);
  for (let s = 0; s < m;) {
    const it = sItem[s]!;
    let e = s;
    let nSeen = 0;
    for (; e < m && sItem[e] === it; e++) {
      const a = sAnswer[e]!;
      if (count[a]!++ === 0) seen[nSeen++] = a;
    }
    if (nSeen > 16) seen.subarray(0, nSeen).sort(byCountDesc);
    else {
      for (let j = 1; j < nSeen; j++) {
        const a = seen[j]!;
        let k = j;
        for (; k > 0 && count[seen[k - 1]!]! < count[a]!; k--) seen[k] = seen[k - 1]!;
        seen[k] = a;
      }
    }
    for (let p = s; p < e;) {
      const who = sAnnotator[p]!;
      let q = p;
      let nOwn = 0;
      for (; q < e && sAnnotator[q] === who; q++) {
        const a = sAnswer[q]!;
        if (own[a]!++ === 0) ownSeen[nOwn++] = a;
      }
      // The others' counts differ from the item's only on this annotator's own answers, so the
      // leader is among those or the first two other answers in count order: O(own answers)
      // per annotator, whatever the number of distinct answers.
      let best = -1;
      let bestN = 0;
      let secondN = 0;
      for (let j = 0, taken = 0; j < nOwn + nSeen && taken < 2; j++) {
        const isOwn = j < nOwn;
        const a = isOwn ? ownSeen[j]! : seen[j - nOwn]!;
        if (!isOwn && own[a]! > 0) continue;
        const c = isOwn ? count[a]! - own[a]! : count[a]!;
        if (!isOwn) taken++;
        if (c > bestN) {
          secondN = bestN;
          bestN = c;
          best = a;
        } else if (c > secondN) secondN = c;
      }
      const majority = bestN > secondN ? answers[best]! : null;
      for (let r = p; r < q; r++) out[source[order[r]!]!] = majority;
      for (let j = 0; j < nOwn; j++) own[ownSeen[j]!] = 0;
      p = q;
    }
    for (let j = 0; j < nSeen; j++) count[seen[j]!] = 0;
    s = e;
  }
  return out;
}
