/**
 * Synthetic labelled responses for harm-classifier tests, drawn from the model a logistic head
 * assumes: each response carries 0–2 harm cue words (each of one category) and 0–2 safe cue words
 * among filler, and is unsafe with probability σ(strength · (harm − safe) + bias). An unsafe
 * response belongs to the categories of its harm cues. Since the labels come from a known logit,
 * held-out confidence can be checked for calibration; `bias` sets the unsafe share.
 */
import type { SafetyExample } from '../safety/train';
import { createRng } from '../rng';

export interface SyntheticSafetyOptions {
  count: number;
  seed: number;
  /** category names; category c's cue words are `${name}cue0…` */
  categories: readonly string[];
  /** categories (by index) that never appear, to check that a head is skipped */
  absent?: readonly number[];
  strength?: number;
  bias?: number;
}

export function syntheticSafety(options: SyntheticSafetyOptions): SafetyExample[] {
  const rng = createRng(options.seed);
  const strength = options.strength ?? 1.8;
  const bias = options.bias ?? -0.4;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
  const present = options.categories.map((_, c) => c).filter((c) => !options.absent?.includes(c));
  const filler = Array.from({ length: 200 }, (_, w) => `word${w}`);
  const out: SafetyExample[] = [];
  for (let i = 0; i < options.count; i++) {
    const words: string[] = [];
    for (let w = 0; w < 8 + Math.floor(rng() * 6); w++) words.push(pick(filler));
    const harm = Math.floor(rng() * 3);
    const safe = Math.floor(rng() * 3);
    const cats = new Set<string>();
    for (let h = 0; h < harm; h++) {
      const c = options.categories[pick(present)]!;
      cats.add(c);
      words.splice(Math.floor(rng() * words.length), 0, `${c}cue${Math.floor(rng() * 10)}`);
    }
    for (let s = 0; s < safe; s++)
      words.splice(Math.floor(rng() * words.length), 0, `safecue${Math.floor(rng() * 10)}`);
    const p = 1 / (1 + Math.exp(-(strength * (harm - safe) + bias)));
    const unsafe = rng() < p ? 1 : 0;
    out.push({
      prompt: `question ${pick(filler)} ${pick(filler)}`,
      response: words.join(' '),
      unsafe,
      categories: unsafe ? Object.fromEntries([...cats].map((c) => [c, 1])) : {},
      weight: 1,
    });
  }
  return out;
}
