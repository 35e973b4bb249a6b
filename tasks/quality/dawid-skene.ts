/**
 * Consensus from redundant crowd labels: (weighted) majority vote, and the Dawid & Skene (1979)
 * latent-class model fitted by EM, in its full-confusion and one-coin forms. Items, annotators
 * and labels are plain strings, so the same functions serve sentiment labels and the direction of
 * a pairwise preference (classes 'a', 'b', 'tie').
 *
 * Dawid, A. P. and Skene, A. M. (1979). Maximum likelihood estimation of observer error-rates using
 * the EM algorithm. Journal of the Royal Statistical Society C 28(1), 20–28.
 */
import { encode, type LabelRow } from './label-rows';

// Majority vote, the row type and the crowd simulator live in their own modules; re-exported so
// callers keep importing all of consensus from here.
export { type LabelRow } from './label-rows';
export { majorityVote, type MajorityVoteOptions, type VoteResult } from './majority-vote';

export interface DawidSkeneOptions {
  classes?: readonly string[];
  /** default 100 */
  maxIterations?: number;
  /** stop when the log-likelihood changes by at most this much per unit of label weight; default 1e-6 */
  tolerance?: number;
  /** Dirichlet pseudo-count added to every confusion cell and every prior; default 0.01 */
  smoothing?: number;
  /** default 'majority' */
  init?: 'majority' | 'uniform';
  /** items whose true class is known (gold): their posterior is clamped to it */
  fixed?: ReadonlyMap<string, string>;
}

export interface DawidSkeneResult {
  classes: string[];
  items: string[];
  annotators: string[];
  /** per item, P(true class = k) in class order */
  posteriors: Map<string, number[]>;
  /** argmax posterior (the first class on an exact tie) */
  consensus: Map<string, string>;
  /** per annotator, row = true class, column = given label; rows sum to 1 */
  confusion: Map<string, number[][]>;
  priors: number[];
  /** per annotator, Σ_k prior_k · π_kk: the probability that their label is the true class */
  reliability: Map<string, number>;
  iterations: number;
  converged: boolean;
  /** log P(labels | fitted parameters), gold items counted with their known class */
  logLikelihood: number;
}

/**
 * Dawid & Skene (1979): each annotator has a confusion matrix π (row = true class, column = the
 * label they give), items have a latent true class drawn from `priors`, and labels are independent
 * given the true class. EM from a soft majority vote (or, with init 'uniform', from every annotator
 * assumed equally and moderately reliable); the E-step works in log space so hundreds of labels on
 * one item cannot underflow.
 *
 * Guarantees: deterministic; the class order is explicit `classes`, else the labels sorted; items
 * and annotators are listed in first-seen order; no NaN for annotators with a single label or
 * classes nobody used (with smoothing > 0); gold items in `fixed` have a one-hot posterior and their
 * known class as consensus (fixed items no one labelled are ignored), and with gold EM also starts
 * from the annotators' behaviour on the gold items and keeps the likelier of the two fits, so a
 * systematically wrong majority cannot outvote the gold. Without smoothing every EM
 * step is guaranteed not to lower `logLikelihood`; with it, EM maximises the smoothed (MAP)
 * objective, which differs by the tiny log-prior term. O(iterations × rows × classes) time,
 * O(rows + items × classes + annotators × classes²) memory.
 *
 * Row weights scale a label's contribution to both the likelihood and the confusion counts.
 * Throws on labels outside explicit `classes`, negative weights, or a fixed class not in `classes`.
 */
export function dawidSkene(rows: readonly LabelRow[], options: DawidSkeneOptions = {}): DawidSkeneResult {
  return fit(rows, 'full', options);
}

/**
 * The one-coin Dawid-Skene model: one accuracy a per annotator, errors spread evenly over the other
 * classes (π_kk = a, π_kl = (1 − a)/(K − 1)). K(K−1) parameters fewer per annotator than the full
 * model, so it stays sensible when annotators have few labels each, at the price of missing
 * systematic confusions (an annotator who swaps two classes just looks inaccurate). Same options,
 * guarantees and result shape as `dawidSkene`; `confusion` is built from the accuracy.
 */
export function oneCoinDawidSkene(
  rows: readonly LabelRow[],
  options: DawidSkeneOptions = {},
): DawidSkeneResult {
  return fit(rows, 'one-coin', options);
}

type Start = 'majority' | 'uniform' | 'gold';

interface Fit {
  post: Float64Array;
  pi: Float64Array;
  priors: Float64Array;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

function fit(
  rows: readonly LabelRow[],
  model: 'full' | 'one-coin',
  options: DawidSkeneOptions,
): DawidSkeneResult {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  // Why smoothing: the maximum-likelihood confusion row for a true class an annotator never saw
  // is 0/0, and a label an annotator gave once under a class makes every other cell of that row
  // exactly 0, so one annotator's single label can veto a class for an item with log(0) = −∞.
  // Priors of classes nobody used hit the same wall. A small Dirichlet pseudo-count (a MAP
  // estimate) keeps every probability positive and leaves well-observed annotators unchanged.
  const alpha = options.smoothing ?? 0.01;
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new Error('maxIterations must be an integer ≥ 1');
  if (!(tolerance >= 0)) throw new Error('tolerance must be ≥ 0');
  if (!Number.isFinite(alpha) || alpha < 0) throw new Error('smoothing must be a finite number ≥ 0');

  const enc = encode(rows, options.classes);
  const K = enc.classes.length;
  const I = enc.items.length;
  const J = enc.annotators.length;
  const N = enc.item.length;
  const { item, label, weight } = enc;

  const fixedClass = new Int32Array(I).fill(-1);
  let fixedCount = 0;
  for (const [name, cls] of options.fixed ?? new Map<string, string>()) {
    const k = enc.classIndex.get(cls);
    if (k === undefined) throw new Error(`fixed class "${cls}" of item "${name}" is not one of the classes`);
    const i = enc.itemIndex.get(name);
    if (i !== undefined) {
      fixedClass[i] = k;
      fixedCount++;
    }
  }

  // Confusion tables are laid out [annotator][given label][true class], so a row's K cells are
  // contiguous and its offset can be computed once for all iterations.
  const rowBase = new Int32Array(N);
  for (let r = 0; r < N; r++) rowBase[r] = (enc.annotator[r]! * K + label[r]!) * K;

  const logLik = new Float64Array(I * K);
  const counts = new Float64Array(J * K * K);
  const logPi = new Float64Array(J * K * K);
  const logPriors = new Float64Array(K);

  const run = (start: Start): Fit => {
    const post = new Float64Array(I * K);
    const pi = new Float64Array(J * K * K);
    const priors = new Float64Array(K);

    const mStep = () => {
      let totalMass = 0;
      for (let c = 0; c < post.length; c++) totalMass += post[c]!;
      for (let k = 0; k < K; k++) {
        let mass = 0;
        for (let i = 0; i < I; i++) mass += post[i * K + k]!;
        const denominator = totalMass + K * alpha;
        priors[k] = denominator > 0 ? (mass + alpha) / denominator : 1 / K;
        logPriors[k] = Math.log(priors[k]!);
      }
      counts.fill(0);
      for (let r = 0; r < N; r++) {
        const base = rowBase[r]!;
        const o = item[r]! * K;
        const w = weight[r]!;
        for (let k = 0; k < K; k++) counts[base + k]! += w * post[o + k]!;
      }
      for (let j = 0; j < J; j++) {
        const a = j * K * K;
        if (model === 'full') {
          for (let k = 0; k < K; k++) {
            let rowSum = 0;
            for (let l = 0; l < K; l++) rowSum += counts[a + l * K + k]!;
            const denominator = rowSum + K * alpha;
            for (let l = 0; l < K; l++) {
              pi[a + l * K + k] = denominator > 0 ? (counts[a + l * K + k]! + alpha) / denominator : 1 / K;
            }
          }
        } else {
          let correct = 0;
          let total = 0;
          for (let l = 0; l < K; l++) {
            for (let k = 0; k < K; k++) total += counts[a + l * K + k]!;
            correct += counts[a + l * K + l]!;
          }
          const denominator = total + K * alpha;
          const accuracy = K === 1 ? 1 : denominator > 0 ? (correct + alpha) / denominator : 1 / K;
          const error = K === 1 ? 0 : (1 - accuracy) / (K - 1);
          for (let l = 0; l < K; l++)
            for (let k = 0; k < K; k++) pi[a + l * K + k] = l === k ? accuracy : error;
        }
      }
      for (let c = 0; c < pi.length; c++) logPi[c] = Math.log(pi[c]!);
    };

    /** Posteriors from the current parameters; returns the log-likelihood of the labels. */
    const eStep = (): number => {
      for (let i = 0; i < I; i++) for (let k = 0; k < K; k++) logLik[i * K + k] = logPriors[k]!;
      for (let r = 0; r < N; r++) {
        const base = rowBase[r]!;
        const o = item[r]! * K;
        const w = weight[r]!;
        for (let k = 0; k < K; k++) logLik[o + k]! += w * logPi[base + k]!;
      }
      let ll = 0;
      for (let i = 0; i < I; i++) {
        const o = i * K;
        const f = fixedClass[i]!;
        if (f >= 0) {
          // Known class: the complete-data term, which keeps semi-supervised EM monotone.
          ll += logLik[o + f]!;
          for (let k = 0; k < K; k++) post[o + k] = k === f ? 1 : 0;
          continue;
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) if (logLik[o + k]! > max) max = logLik[o + k]!;
        if (max === -Infinity) {
          // Only reachable with smoothing 0: every class impossible. Say so rather than emit NaN.
          ll = -Infinity;
          for (let k = 0; k < K; k++) post[o + k] = 1 / K;
          continue;
        }
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const e = Math.exp(logLik[o + k]! - max);
          post[o + k] = e;
          sum += e;
        }
        for (let k = 0; k < K; k++) post[o + k]! /= sum;
        ll += max + Math.log(sum);
      }
      return ll;
    };

    if (start === 'uniform') {
      // A uniform posterior is a fixed point of EM (every confusion row comes out the same, so no
      // label favours any class), so 'uniform' means uniform annotator quality instead: everyone
      // right 70% of the time (better than chance for any K ≥ 2), uniform priors, one E-step.
      const accuracy = K === 1 ? 1 : Math.max(0.7, 1 / K + 0.1);
      const error = K === 1 ? 0 : (1 - accuracy) / (K - 1);
      for (let c = 0; c < logPi.length; c++)
        logPi[c] = Math.log(Math.floor(c / K) % K === c % K ? accuracy : error);
      logPriors.fill(-Math.log(K));
      eStep();
    } else {
      // 'majority': soft vote shares; 'gold': only the gold items, so the first M-step learns each
      // annotator from the items whose truth is known.
      if (start === 'majority') for (let r = 0; r < N; r++) post[item[r]! * K + label[r]!]! += weight[r]!;
      for (let i = 0; i < I; i++) {
        const o = i * K;
        const f = fixedClass[i]!;
        let total = 0;
        for (let k = 0; k < K; k++) total += post[o + k]!;
        for (let k = 0; k < K; k++) {
          post[o + k] =
            f >= 0 ? (k === f ? 1 : 0) : start === 'gold' ? 0 : total > 0 ? post[o + k]! / total : 1 / K;
        }
      }
    }

    let logLikelihood = -Infinity;
    let iterations = 0;
    let converged = false;
    for (let iteration = 1; iteration <= maxIterations; iteration++) {
      mStep();
      const ll = eStep();
      iterations = iteration;
      // Per unit of label weight, so the same tolerance means the same thing for 100 and 10⁶ labels.
      const done = iteration > 1 && Math.abs(ll - logLikelihood) <= tolerance * Math.max(1, enc.totalWeight);
      logLikelihood = ll;
      if (done) converged = true;
      if (done || Number.isNaN(ll)) break;
    }
    return { post, pi, priors, logLikelihood, iterations, converged };
  };

  let best = run(options.init ?? 'majority');
  if (fixedCount > 0) {
    // EM only finds a local optimum, and a crowd whose majority is systematically wrong pulls a
    // majority start into the wrong one however many gold items are clamped. Starting again from
    // the annotators' behaviour on gold and keeping the likelier fit lets gold correct that.
    const fromGold = run('gold');
    if (fromGold.logLikelihood > best.logLikelihood) best = fromGold;
  }
  const { post, pi, priors } = best;

  const posteriors = new Map<string, number[]>();
  const consensus = new Map<string, string>();
  for (let i = 0; i < I; i++) {
    const p = Array.from(post.subarray(i * K, (i + 1) * K));
    let top = 0;
    for (let k = 1; k < K; k++) if (p[k]! > p[top]!) top = k;
    posteriors.set(enc.items[i]!, p);
    if (K > 0) consensus.set(enc.items[i]!, enc.classes[top]!);
  }
  const confusion = new Map<string, number[][]>();
  const reliability = new Map<string, number>();
  for (let j = 0; j < J; j++) {
    const a = j * K * K;
    const matrix = Array.from({ length: K }, (_, k) =>
      Array.from({ length: K }, (_, l) => pi[a + l * K + k]!),
    );
    let right = 0;
    for (let k = 0; k < K; k++) right += priors[k]! * matrix[k]![k]!;
    confusion.set(enc.annotators[j]!, matrix);
    reliability.set(enc.annotators[j]!, Math.min(1, Math.max(0, right)));
  }
  return {
    classes: enc.classes,
    items: enc.items,
    annotators: enc.annotators,
    posteriors,
    consensus,
    confusion,
    priors: Array.from(priors),
    reliability,
    iterations: best.iterations,
    converged: best.converged,
    logLikelihood: best.logLikelihood,
  };
}
