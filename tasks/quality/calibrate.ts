/**
 * The calibration report behind `arbiter calibrate`: from any crowd's labels (and, optionally,
 * gold answers) to agreement with bootstrap intervals (Fleiss' kappa, Krippendorff's alpha), the
 * accuracy against gold of majority vote, Dawid-Skene and one-coin Dawid-Skene, the consensus
 * method validation would choose, and a line per annotator. Pure: rows and options in, a plain
 * JSON-ready object out (undefined statistics are null, never NaN), so it is tested without files.
 */
import { UserInputError } from '../errors';
import { createRng } from '../rng';
import { wilsonInterval } from '../sentiment-audits';
import {
  bootstrapFleiss,
  bootstrapKrippendorff,
  fleissKappa,
  krippendorffAlpha,
  type Level,
} from './agreement';
import { chooseConsensusMethod, type ConsensusMethod } from './consensus-method';
import { dawidSkene, majorityVote, oneCoinDawidSkene, type LabelRow } from './dawid-skene';
import { leaveOneOutAgreement, type JudgmentRow } from './profile';
import { displayKey } from './crowd-files';
import { prepareLabels, unitValues, type CrowdLabelInput, type Dropped } from './calibrate-labels';

export { type CrowdLabelInput, type Dropped } from './calibrate-labels';

export const LEVELS: readonly Level[] = ['nominal', 'ordinal', 'interval'];

export interface CalibrateOptions {
  /** raw label → label, applied to crowd and gold labels alike */
  labelMap?: Readonly<Record<string, string>>;
  /** labels that mean "no answer" (matched before and after the map): those rows are dropped */
  ignore?: readonly string[];
  /** Krippendorff's alpha metric; default nominal */
  level?: Level;
  /** the labels in order: the class order, and the scale for ordinal/interval over non-numeric labels */
  order?: readonly string[];
  /** bootstrap resamples, default 1000 */
  resamples?: number;
  /** bootstrap seed, default 1 */
  seed?: number;
  /** confidence level of the intervals, default 0.95 */
  confidence?: number;
  /** item key → gold label (raw, as in the gold file) */
  gold?: ReadonlyMap<string, string>;
  /** gold items needed before a model-based consensus may be chosen; default 20 (chooseConsensusMethod) */
  minGold?: number;
}

/** A bootstrap interval; estimate/low/high are null where the statistic is undefined. */
export interface IntervalFigure {
  estimate: number | null;
  low: number | null;
  high: number | null;
  level: number;
  resamples: number;
}

export interface Accuracy {
  accuracy: number | null;
  correct: number;
  n: number;
  /** 95% Wilson interval; null when n is 0 */
  low: number | null;
  high: number | null;
}

export interface AnnotatorCalibration {
  annotator: string;
  /** labels used (after drops) */
  labels: number;
  /** share of their labels equal to the majority of the OTHER annotators on the item (leaveOneOutAgreement) */
  agreement_loo: { agreed: number; n: number; rate: number | null };
  /** Dawid-Skene: probability that their label is the true class */
  dawid_skene_reliability: number | null;
  /** with gold: their labels on gold items */
  gold_accuracy?: Accuracy;
}

export interface CalibrationReport {
  items: number;
  annotators: number;
  /** labels used */
  rows: number;
  labels: { label: string; count: number }[];
  dropped: Dropped;
  fleiss_kappa: IntervalFigure & { units: number; observed: number | null; expected: number | null };
  krippendorff_alpha: IntervalFigure & {
    metric: Level;
    units: number;
    pairable: number;
    observed: number | null;
    expected: number | null;
  };
  bootstrap: { resamples: number; seed: number; confidence: number };
  dawid_skene: { iterations: number; converged: boolean };
  majority_vote_accuracy?: Accuracy;
  dawid_skene_accuracy?: Accuracy;
  one_coin_accuracy?: Accuracy;
  consensus_method?: { method: ConsensusMethod; reason: string };
  gold?: {
    /** gold items in the gold file (with a label) */
    items: number;
    /** of those, items the crowd labelled: the ones accuracies are measured on */
    matched: number;
    unmatched: number;
    /** gold items whose label is an ignored label (left out) */
    ignored: number;
    /** matched gold labels that are not among the crowd's classes (no method can get them right) */
    unknown_labels: number;
  };
  per_annotator: AnnotatorCalibration[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

const interval = (i: { estimate: number; low: number; high: number; level: number; resamples: number }) => ({
  estimate: finite(i.estimate),
  low: finite(i.low),
  high: finite(i.high),
  level: i.level,
  resamples: i.resamples,
});

function accuracy(correct: number, n: number): Accuracy {
  if (n === 0) return { accuracy: null, correct, n, low: null, high: null };
  const w = wilsonInterval(correct, n);
  return { accuracy: correct / n, correct, n, low: w.low, high: w.high };
}

function scoreOn(gold: ReadonlyMap<string, string>, consensus: ReadonlyMap<string, string>): Accuracy {
  let correct = 0;
  for (const [item, answer] of gold) if (consensus.get(item) === answer) correct++;
  return accuracy(correct, gold.size);
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

/** Gold labels through the map, ignored ones set aside, kept only for items the crowd labelled. */
function matchGold(
  rawGold: ReadonlyMap<string, string>,
  used: readonly LabelRow[],
  options: CalibrateOptions,
) {
  const map = options.labelMap ?? {};
  const ignore = new Set(options.ignore ?? []);
  const labelled = new Set(used.map((r) => r.item));
  const matched = new Map<string, string>();
  let ignored = 0;
  for (const [item, raw] of rawGold) {
    const label = Object.hasOwn(map, raw) ? map[raw]! : raw;
    if (ignore.has(raw) || ignore.has(label)) ignored++;
    else if (labelled.has(item)) matched.set(item, label);
  }
  if (rawGold.size - ignored > 0 && matched.size === 0) {
    const goldKey = displayKey(rawGold.keys().next().value!);
    const crowdKey = used[0] ? displayKey(used[0].item) : 'none';
    throw new UserInputError(
      `none of the ${rawGold.size - ignored} gold items matches an item of the labels file (gold keys look like "${goldKey}", label keys like "${crowdKey}"); check --gold-item-col`,
      '--gold',
    );
  }
  return { matched, ignored };
}

/**
 * The calibration report for crowd `rows`. Rows are cleaned first (see prepareLabels: empty
 * labels, ignored labels and repeated item × annotator labels are dropped and counted). Then:
 * Fleiss' kappa (nominal, unequal raters per item allowed) and Krippendorff's alpha at
 * `options.level`, each with a percentile bootstrap over items from its own rng seeded with
 * `seed`, so the two intervals do not depend on each other; per-annotator leave-one-out
 * agreement and Dawid-Skene reliability (fitted without gold). With gold: majority vote (ties to
 * the first class in class order), Dawid-Skene and one-coin Dawid-Skene, all fitted WITHOUT the
 * gold answers, scored on the gold items the crowd labelled, the method chooseConsensusMethod
 * picks, and each annotator's accuracy on gold. Deterministic for given rows and options.
 *
 * Throws a UserInputError (naming the flag) when no label is left, when ordinal/interval alpha
 * meets non-numeric labels without an order, when the order misses a label, or when gold is given
 * but none of its items was labelled.
 */
export function calibrate(
  rows: readonly CrowdLabelInput[],
  options: CalibrateOptions = {},
): CalibrationReport {
  const level = options.level ?? 'nominal';
  if (!LEVELS.includes(level)) throw new UserInputError(`must be one of ${LEVELS.join(', ')}`, '--level');
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const confidence = options.confidence ?? 0.95;
  const { used, dropped, classes, counts } = prepareLabels(rows, options);

  const units = [...unitValues(used, (r) => r.label).values()];
  const { values, order } = scaleFor(classes, level, options.order);
  const scaled = units.map((labels) => labels.map((l) => values.get(l)!));
  const boot = { resamples, level: confidence };
  const fleiss = fleissKappa(units);
  const alpha = krippendorffAlpha(scaled, level, { order });

  const explicit = options.order ? { classes } : {};
  const ds = dawidSkene(used, explicit);
  const judgments: JudgmentRow[] = used.map((r) => ({ ...r, answer: r.label, at: EPOCH }));
  const loo = leaveOneOutAgreement(judgments);

  const report: CalibrationReport = {
    items: units.length,
    annotators: ds.annotators.length,
    rows: used.length,
    labels: classes.map((label) => ({ label, count: counts.get(label) ?? 0 })),
    dropped,
    fleiss_kappa: {
      ...interval(bootstrapFleiss(units, { rng: createRng(seed), ...boot })),
      units: fleiss.units,
      observed: finite(fleiss.observed),
      expected: finite(fleiss.expected),
    },
    krippendorff_alpha: {
      ...interval(bootstrapKrippendorff(scaled, level, { rng: createRng(seed), ...boot, order })),
      metric: level,
      units: alpha.units,
      pairable: alpha.pairable,
      observed: finite(alpha.observed),
      expected: finite(alpha.expected),
    },
    bootstrap: { resamples, seed, confidence },
    dawid_skene: { iterations: ds.iterations, converged: ds.converged },
    per_annotator: [],
  };

  let gold: Map<string, string> | null = null;
  if (options.gold) {
    const { matched, ignored } = matchGold(options.gold, used, options);
    gold = matched;
    const known = new Set(classes);
    report.majority_vote_accuracy = scoreOn(gold, majorityVote(used, explicit).consensus);
    report.dawid_skene_accuracy = scoreOn(gold, ds.consensus);
    report.one_coin_accuracy = scoreOn(gold, oneCoinDawidSkene(used, explicit).consensus);
    const choice = chooseConsensusMethod(used, gold, { ...explicit, minGold: options.minGold });
    report.consensus_method = { method: choice.method, reason: choice.reason };
    report.gold = {
      items: options.gold.size,
      matched: gold.size,
      unmatched: options.gold.size - ignored - gold.size,
      ignored,
      unknown_labels: [...gold.values()].filter((label) => !known.has(label)).length,
    };
  }

  const perAnnotator = new Map<string, { labels: number; correct: number; n: number }>();
  for (const row of used) {
    let t = perAnnotator.get(row.annotator);
    if (!t) perAnnotator.set(row.annotator, (t = { labels: 0, correct: 0, n: 0 }));
    t.labels++;
    const answer = gold?.get(row.item);
    if (answer !== undefined) {
      t.n++;
      if (answer === row.label) t.correct++;
    }
  }
  report.per_annotator = [...perAnnotator]
    .sort(([a], [b]) => byName(a, b))
    .map(([annotator, t]) => ({
      annotator,
      labels: t.labels,
      agreement_loo: loo.get(annotator) ?? { agreed: 0, n: 0, rate: null },
      dawid_skene_reliability: ds.reliability.get(annotator) ?? null,
      ...(gold ? { gold_accuracy: accuracy(t.correct, t.n) } : {}),
    }));
  return report;
}

/** leaveOneOutAgreement wants a time per judgment; calibration has none and needs none. */
const EPOCH = new Date(0);

const isNumeric = (label: string) => label.trim() !== '' && Number.isFinite(Number(label));

/**
 * The values alpha sees for each class: the labels themselves for nominal; for ordinal, the
 * labels with the given order, else their numbers; for interval, positions in the given order,
 * else the numbers.
 */
function scaleFor(classes: readonly string[], level: Level, order: readonly string[] | undefined) {
  const values = new Map<string, string | number>();
  if (level === 'nominal' || (level === 'ordinal' && order)) {
    for (const c of classes) values.set(c, c);
    return { values, order: level === 'ordinal' ? order : undefined };
  }
  if (level === 'interval' && order) {
    for (const c of classes) values.set(c, order.indexOf(c));
    return { values, order: undefined };
  }
  const bad = classes.find((c) => !isNumeric(c));
  if (bad !== undefined)
    throw new UserInputError(
      `${level} alpha needs numeric labels or --order listing the labels low to high; "${bad}" is not a number`,
      '--level',
    );
  for (const c of classes) values.set(c, Number(c));
  return { values, order: undefined };
}
