/**
 * Which consensus method a project uses, decided by how each one does on the project's gold items
 * rather than by which is more sophisticated: a model of annotator error only earns its place when
 * it beats plain majority vote on answers we know.
 */
import { wilsonInterval } from '../sentiment-audits';
import { dawidSkene, majorityVote, oneCoinDawidSkene, type LabelRow } from './dawid-skene';

export type ConsensusMethod = 'majority' | 'dawid-skene' | 'one-coin';

export interface MethodScore {
  method: ConsensusMethod;
  /** gold items the method got right, of `n` gold items that have labels */
  correct: number;
  n: number;
  accuracy: number;
  /** 95% Wilson interval of the accuracy */
  low: number;
  high: number;
}

export interface MethodChoice {
  method: ConsensusMethod;
  scores: MethodScore[];
  /** one sentence for the lead's dashboard */
  reason: string;
  /** the chosen method's consensus for every labelled item, gold items included */
  consensus: Map<string, string>;
}

const NAMES: Record<ConsensusMethod, string> = {
  majority: 'majority vote',
  'dawid-skene': 'Dawid-Skene',
  'one-coin': 'one-coin Dawid-Skene',
};

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Chooses the consensus method by validation on gold. The rules, which are the product's promise:
 *
 * - With fewer than `minGold` (default 20) gold items that have labels, majority vote is used:
 *   too few known answers to tell the methods apart (each method is still scored on the gold
 *   there is, so the dashboard can show the comparison as it builds up).
 * - Otherwise majority vote, Dawid-Skene and one-coin Dawid-Skene are each fitted on all labels
 *   WITHOUT clamping the gold items (gold is held out, so the score is not the model grading its
 *   own homework) and scored on the gold items. A model-based method is chosen only when its
 *   accuracy on gold is strictly higher than majority vote's; on a tie between the two models the
 *   one-coin model, with fewer parameters, is preferred. Otherwise majority vote is used.
 *
 * So the choice is never worse than majority vote on the gold items, by construction. (Its gold
 * accuracy is the best of three, so it flatters the winner a little; the Wilson intervals in
 * `scores` say how much a difference can be trusted.) `consensus` is exactly the chosen method's
 * output as validated; gold answers are not substituted into it. Deterministic: majority ties go
 * to the first class.
 */
export function chooseConsensusMethod(
  rows: readonly LabelRow[],
  gold: ReadonlyMap<string, string>,
  options: { classes?: readonly string[]; minGold?: number } = {},
): MethodChoice {
  const minGold = options.minGold ?? 20;
  const classes = options.classes;
  const labelled = new Set(rows.map((row) => row.item));
  const goldItems = [...gold].filter(([item]) => labelled.has(item));

  const score = (method: ConsensusMethod, consensus: ReadonlyMap<string, string>): MethodScore => {
    const correct = goldItems.filter(([item, answer]) => consensus.get(item) === answer).length;
    const n = goldItems.length;
    const { low, high } = wilsonInterval(correct, n);
    return { method, correct, n, accuracy: n > 0 ? correct / n : 0, low, high };
  };

  const majority = majorityVote(rows, { classes }).consensus;
  const majorityScore = score('majority', majority);
  const fitModels = () =>
    [
      { consensus: oneCoinDawidSkene(rows, { classes }).consensus, method: 'one-coin' as const },
      { consensus: dawidSkene(rows, { classes }).consensus, method: 'dawid-skene' as const },
    ].map((fit) => ({ ...fit, score: score(fit.method, fit.consensus) }));
  if (goldItems.length < minGold) {
    // too few to decide on, but a lead still sees how each method does on the gold there is
    return {
      method: 'majority',
      scores: goldItems.length > 0 ? [majorityScore, ...fitModels().map((m) => m.score)] : [majorityScore],
      reason:
        goldItems.length === 0
          ? `No gold items with answers yet; majority vote until there are at least ${minGold} to validate on.`
          : `Only ${plural(goldItems.length, 'gold item has', 'gold items have')} labels; majority vote until there are at least ${minGold} to validate on.`,
      consensus: majority,
    };
  }

  const models = fitModels();
  // Strictly greater: the simpler one-coin model keeps a tie.
  const best = models[1]!.score.correct > models[0]!.score.correct ? models[1]! : models[0]!;
  const wins = best.score.correct > majorityScore.correct;
  const method: ConsensusMethod = wins ? best.method : 'majority';

  const [modelText, majorityText] = formatPair(best.score.accuracy, majorityScore.accuracy);
  const against =
    best.score.correct === majorityScore.correct
      ? 'the same as majority vote'
      : `majority vote ${majorityText}`;
  const comparison = `${capitalised(NAMES[best.method])} scored ${modelText} on ${goldItems.length} gold items, ${against}`;
  // A gold answer no method can give (a vocabulary mismatch between gold and labels) is worth a word.
  const known = new Set(classes ?? rows.map((row) => row.label));
  const unknownGold = goldItems.filter(([, answer]) => !known.has(answer)).length;
  const note =
    unknownGold > 0
      ? ` ${plural(unknownGold, 'gold answer is', 'gold answers are')} not one of the classes.`
      : '';
  return {
    method,
    scores: [majorityScore, ...models.map((m) => m.score)],
    reason: `${comparison}: ${NAMES[method]} is used.${note}`,
    consensus: wins ? best.consensus : majority,
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Two decimals, or more when two different accuracies would otherwise print the same. */
function formatPair(a: number, b: number): [string, string] {
  for (let digits = 2; digits < 4; digits++) {
    if (a === b || a.toFixed(digits) !== b.toFixed(digits)) return [a.toFixed(digits), b.toFixed(digits)];
  }
  return [a.toFixed(4), b.toFixed(4)];
}
