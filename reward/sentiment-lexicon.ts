/**
 * The VADER sentiment lexicon (Hutto & Gilbert, 2014) as a word → valence map, read once from the
 * vader-sentiment package's own `vader_lexicon.txt` (7,500 words and emoticons rated −4 … +4 by
 * ten people each). The featurizer turns lexicon words into strength pseudo-words.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

let lexicon: Map<string, number> | null = null;

/** word (lowercase) → mean valence in [−4, 4]. Throws with a fix when the file is missing. */
export function vaderLexicon(): Map<string, number> {
  if (lexicon) return lexicon;
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve('vader-sentiment/package.json')), 'vader_lexicon.txt');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `The VADER lexicon is missing (${(error as Error).message}); reinstall the vader-sentiment package (npm ci).`,
    );
  }
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [word, valence] = line.split('\t');
    const v = Number(valence);
    if (word && Number.isFinite(v)) map.set(word.toLowerCase(), v);
  }
  lexicon = map;
  return map;
}

/** A valence's pseudo-word bucket: −3 … −1 or 1 … 3 by strength (|v| < 1.5, < 2.5, ≥ 2.5); 0 for none. */
export function valenceBucket(valence: number): number {
  const strength = Math.abs(valence) < 1.5 ? 1 : Math.abs(valence) < 2.5 ? 2 : 3;
  return valence === 0 ? 0 : Math.sign(valence) * strength;
}
