/**
 * Cleaning crowd labels before calibration: renames, abstentions, empty cells and repeated labels,
 * each dropped row counted by reason so the report can say what was left out and why.
 */
import { UserInputError } from '../errors';
import type { LabelRow } from './dawid-skene';

/** One crowd label as read (raw label; '' for an empty cell). */
export interface CrowdLabelInput {
  item: string;
  annotator: string;
  label: string;
}

export interface Dropped {
  total: number;
  /** empty label cells (in a wide file: an annotator who did not label the item) */
  empty_label: number;
  /** rows whose label is an ignored (abstention) label, by that label as written in the file */
  ignored: Record<string, number>;
  /** a second (or later) label by the same annotator on the same item; the first one is kept */
  duplicate: number;
}

export interface PreparedLabels {
  used: LabelRow[];
  dropped: Dropped;
  /** the class order: `order` when given, else the labels sorted */
  classes: string[];
  counts: Map<string, number>;
}

/**
 * Applies `labelMap` (raw → label) and drops, in this order: empty labels, labels in `ignore`
 * (matched against the raw and the mapped label, so either spelling works), and repeats of an
 * item × annotator pair (the first label is kept). With `order`, it must list each label once,
 * and every label used must be in it; it becomes the class order. Throws a UserInputError when
 * the order is wrong or nothing is left.
 */
export function prepareLabels(
  rows: readonly CrowdLabelInput[],
  options: {
    labelMap?: Readonly<Record<string, string>>;
    ignore?: readonly string[];
    order?: readonly string[];
  },
): PreparedLabels {
  const map = options.labelMap ?? {};
  const ignore = new Set(options.ignore ?? []);
  const dropped: Dropped = { total: 0, empty_label: 0, ignored: {}, duplicate: 0 };
  const seen = new Set<string>();
  const used: LabelRow[] = [];
  const counts = new Map<string, number>();
  for (const row of rows) {
    const label = Object.hasOwn(map, row.label) ? map[row.label]! : row.label;
    if (row.label === '') dropped.empty_label++;
    else if (ignore.has(row.label) || ignore.has(label))
      dropped.ignored[row.label] = (dropped.ignored[row.label] ?? 0) + 1;
    else {
      // JSON of the pair: no separator a key or an annotator id could contain
      const pair = JSON.stringify([row.item, row.annotator]);
      if (seen.has(pair)) dropped.duplicate++;
      else {
        seen.add(pair);
        used.push({ item: row.item, annotator: row.annotator, label });
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
    }
  }
  dropped.total = rows.length - used.length;
  if (used.length === 0) {
    const ignored = Object.values(dropped.ignored).reduce((a, b) => a + b, 0);
    throw new UserInputError(
      `no labels left to calibrate on: ${rows.length} read, ${dropped.empty_label} empty, ${ignored} ignored, ${dropped.duplicate} repeated`,
      '--labels',
    );
  }
  let classes = [...counts.keys()].sort();
  if (options.order) {
    classes = [...options.order];
    if (new Set(classes).size !== classes.length) throw new UserInputError('lists a label twice', '--order');
    const missing = [...counts.keys()].filter((label) => !classes.includes(label));
    if (missing.length)
      throw new UserInputError(
        `does not list the label${missing.length > 1 ? 's' : ''} ${missing.map((l) => `"${l}"`).join(', ')} (the labels are ${[...counts.keys()].sort().join(', ')})`,
        '--order',
      );
  }
  return { used, dropped, classes, counts };
}

/** The values of each item, in first-seen item order (coder identity is not needed for alpha and Fleiss). */
export function unitValues<T>(rows: readonly LabelRow[], valueOf: (row: LabelRow) => T): Map<string, T[]> {
  const byItem = new Map<string, T[]>();
  for (const row of rows) {
    let list = byItem.get(row.item);
    if (!list) byItem.set(row.item, (list = []));
    list.push(valueOf(row));
  }
  return byItem;
}
