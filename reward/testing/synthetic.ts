/**
 * Synthetic preference pairs for benchmarks and tests: seeded pseudo-words drawn Zipf-style,
 * responses of realistic length (20–150 words, ~75 on average), and labels drawn from a hidden
 * Bradley-Terry model over word "quality" and length, so a reward model has something to learn.
 */
import type { TrainingPair } from '../dataset';
import { createRng, type Rng } from '../rng';

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'zen',
  'pra',
  'dul',
  'gor',
  'ish',
  'em',
  'ba',
  'ct',
];

function vocabulary(size: number, rng: Rng): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 1 + Math.floor(rng() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(rng() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

/** `count` pairs; the same rng state gives the same pairs. */
export function syntheticPairs(count: number, rng: Rng): TrainingPair[] {
  const vocab = vocabulary(4000, createRng(99));
  const quality = vocab.map(() => (rng() < 0.1 ? (rng() < 0.5 ? -3 : 3) : 0));
  // Zipf: word i drawn with probability ∝ 1/(i+1), by inverse CDF over a log scale
  const pick = () => Math.min(vocab.length - 1, Math.floor(Math.exp(rng() * Math.log(vocab.length + 1)) - 1));
  const text = (min: number, max: number) => {
    const n = min + Math.floor(rng() * (max - min));
    let score = 0.3 * Math.log(n);
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      const w = pick();
      score += quality[w]! / Math.sqrt(n);
      words.push(vocab[w]!);
    }
    return { text: words.join(' '), score };
  };
  const pairs: TrainingPair[] = [];
  for (let i = 0; i < count; i++) {
    const prompt = text(8, 30).text;
    const a = text(20, 130);
    const b = text(20, 130);
    const p = 1 / (1 + Math.exp(-(a.score - b.score)));
    pairs.push({ prompt, a: a.text, b: b.text, target: rng() < p ? 1 : 0, weight: 1 });
  }
  return pairs;
}
