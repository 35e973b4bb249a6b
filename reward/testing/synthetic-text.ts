/**
 * Synthetic labelled texts for classifier tests. Each class has its own cue words. In the default
 * "noisy" mode every text carries cue words of its class among shared filler, and a known share of
 * labels is flipped, so the best possible accuracy is known. In "logit" mode a text carries cue
 * words of random classes and its label is drawn from softmax(strength × cue counts): exactly the
 * model a multinomial logistic classifier assumes, so its confidence can be checked for calibration.
 */
import type { TextExample } from '../classifier/train';
import { createRng } from '../rng';

export interface SyntheticTextOptions {
  classes: number;
  count: number;
  seed: number;
  mode?: 'noisy' | 'logit';
  /** noisy mode: share of labels replaced by a uniformly drawn other class */
  noise?: number;
  /** cue words per text (1–4 by default), among 8–14 words in all */
  cues?: [number, number];
  /** logit mode: how strongly each cue word pulls toward its class (1.5 by default) */
  strength?: number;
}

/** `count` examples; the same options give the same texts and labels. */
export function syntheticTexts(options: SyntheticTextOptions): { examples: TextExample[]; labels: string[] } {
  const rng = createRng(options.seed);
  const C = options.classes;
  const labels = Array.from({ length: C }, (_, c) => `class${c}`);
  const cueWords = labels.map((_, c) => Array.from({ length: 30 }, (__, w) => `cue${c}x${w}`));
  const filler = Array.from({ length: 300 }, (_, w) => `word${w}`);
  const [lo, hi] = options.cues ?? [1, 4];
  const examples: TextExample[] = [];
  for (let i = 0; i < options.count; i++) {
    const words: string[] = [];
    const counts = new Array<number>(C).fill(0);
    const truth = Math.floor(rng() * C);
    const cues = lo + Math.floor(rng() * (hi - lo + 1));
    for (let k = 0; k < cues; k++) {
      const c = options.mode === 'logit' ? Math.floor(rng() * C) : truth;
      counts[c]!++;
      words.push(cueWords[c]![Math.floor(rng() * 30)]!);
    }
    const length = 8 + Math.floor(rng() * 7);
    while (words.length < length)
      words.splice(Math.floor(rng() * (words.length + 1)), 0, filler[Math.floor(rng() * 300)]!);
    let label = truth;
    if (options.mode === 'logit') {
      const weights = counts.map((n) => Math.exp((options.strength ?? 1.5) * n));
      let u = rng() * weights.reduce((a, b) => a + b, 0);
      label = 0;
      while (u > weights[label]! && label < C - 1) u -= weights[label++]!;
    } else if (rng() < (options.noise ?? 0)) {
      label = (truth + 1 + Math.floor(rng() * (C - 1))) % C;
    }
    const target = labels.map((_, c) => (c === label ? 1 : 0));
    examples.push({ text: `${words.join(' ')} ${i}`, target, weight: 1 });
  }
  return { examples, labels };
}
