/**
 * Seeded short texts with a known sentiment, for tests of the sentiment loop: sentences built from
 * real evaluative words (which the lexicon reads), sentences whose sentiment lies in what happened
 * rather than in evaluative words (which a lexicon cannot read but a model trained on labels learns),
 * negated praise, and neutral statements.
 */
import { createRng } from '../../tasks/rng';

const SUBJECTS = [
  'The hotel',
  'This phone',
  'Our waiter',
  'The new update',
  'The concert',
  'My order',
  'The film',
  'Their support team',
];
const POSITIVE = [
  'wonderful',
  'excellent',
  'delightful',
  'fantastic',
  'brilliant',
  'lovely',
  'superb',
  'great',
];
const NEGATIVE = ['awful', 'terrible', 'dreadful', 'horrible', 'useless', 'disappointing', 'rude', 'broken'];
const POSITIVE_TAILS = [
  'and I would go back tomorrow.',
  'and everyone was happy.',
  'from start to finish.',
  'and worth every penny.',
];
const NEGATIVE_TAILS = [
  'and I want a refund.',
  'and nobody cared.',
  'from start to finish.',
  'and a waste of money.',
];
/** Sentiment without evaluative words: a lexicon sees nothing in these. */
const POSITIVE_EVENTS = [
  'arrived a day early',
  'lasts all week on one charge',
  'was fixed in ten minutes',
  'gave us a free upgrade',
];
const NEGATIVE_EVENTS = [
  'stopped working after a week',
  'still has not answered my email',
  'arrived two weeks late',
  'charged me twice',
];
const NEUTRAL = [
  'opens at nine on weekdays.',
  'was delivered on Tuesday.',
  'is on the second floor.',
  'comes in three colours.',
  'was announced this morning.',
  'takes about an hour by train.',
];

export type FixtureLabel = 'positive' | 'negative' | 'neutral';

/** `count` distinct texts with their true label, in a seeded order. */
export function sentimentTexts(count: number, seed = 1): { text: string; label: FixtureLabel }[] {
  const rng = createRng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const out: { text: string; label: FixtureLabel }[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const roll = rng();
    const subject = pick(SUBJECTS);
    let text: string;
    let label: FixtureLabel;
    if (roll < 0.2) {
      label = 'positive';
      text = `${subject} was ${pick(POSITIVE)} ${pick(POSITIVE_TAILS)}`;
    } else if (roll < 0.4) {
      label = 'positive';
      text = `${subject} ${pick(POSITIVE_EVENTS)}.`;
    } else if (roll < 0.6) {
      label = 'negative';
      text =
        roll < 0.52
          ? `${subject} was ${pick(NEGATIVE)} ${pick(NEGATIVE_TAILS)}`
          : `${subject} was not ${pick(POSITIVE)} at all.`;
    } else if (roll < 0.8) {
      label = 'negative';
      text = `${subject} ${pick(NEGATIVE_EVENTS)}.`;
    } else {
      label = 'neutral';
      text = `${subject} ${pick(NEUTRAL)}`;
    }
    // a counter keeps texts distinct without changing what they say
    text = `${text} (#${i + 1})`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, label });
  }
  return out;
}

/** The texts as a CSV file with a header `text,label` (quoted as RFC 4180 asks). */
export function sentimentCsv(rows: readonly { text: string; label: string | null }[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return ['text,label', ...rows.map((r) => `${quote(r.text)},${r.label ?? ''}`)].join('\n') + '\n';
}
