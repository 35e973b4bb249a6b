/**
 * Text → sparse feature vector, as a featurizer config says. Hashed word n-grams and (optionally)
 * character n-grams inside word boundaries, each block sublinear-TF weighted and L2-normalized so
 * long responses do not dominate by volume; then the dense hand-written features in fixed slots
 * after the hash space. Signed hashing keeps collisions unbiased.
 */
import type { FeaturizerConfig } from './featurizer-config';
import { combine, murmur3 } from './hash';
import { tokenize } from './tokenize';
import { valenceBucket, vaderLexicon } from './sentiment-lexicon';
import { DENSE_FEATURE_COUNT, DENSE_FEATURE_NAMES, denseFeatures } from './dense-features';
import type { SparseVector } from './sparse';

export interface Featurizer {
  config: FeaturizerConfig;
  /** total input dimension: 2^hashBits hashed slots, then the dense slots */
  dim: number;
  hashDim: number;
  /**
   * Features of `response` as an answer to `prompt`. Same inputs → the same vector, to the bit.
   * With `names`, records a readable n-gram for each hashed slot it touches (first seen wins).
   */
  featurize(prompt: string, response: string, names?: Map<number, string>): SparseVector;
  /** a readable name for a dense slot, or null for a hashed slot */
  denseName(index: number): string | null;
}

const WORD_SEED = 0x5eed1;
const CHAR_SEED = 0x5eed2;
const NEGATED = 0x5eed3;
const LEXICON = 0x5eed4;
const PROMPT_SEED = 0x5eed5;

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nor',
  'cannot',
  'without',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nowhere',
  'hardly',
  'barely',
  'scarcely',
]);
/** Punctuation that ends a negation's scope (a clause boundary). */
const CLAUSE_END = new Set(['.', ',', ';', ':', '!', '?']);

/** Per token: whether it lies inside a negation's scope (the negator itself does not). */
export function negationScope(tokens: readonly string[]): Uint8Array {
  const marked = new Uint8Array(tokens.length);
  let inside = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!.toLowerCase();
    if (CLAUSE_END.has(t)) inside = false;
    else if (NEGATORS.has(t) || t.endsWith("n't") || t.endsWith('n’t')) inside = true;
    else if (inside) marked[i] = 1;
  }
  return marked;
}

/** A featurizer for `config`. Reuses internal buffers: one instance is not re-entrant. */
export function createFeaturizer(config: FeaturizerConfig): Featurizer {
  const hashDim = 2 ** config.hashBits;
  const mask = hashDim - 1;
  const denseCount = config.dense ? DENSE_FEATURE_COUNT : 0;
  const dim = hashDim + denseCount;
  const acc = new Float64Array(hashDim);
  const seen = new Uint8Array(hashDim);
  const touched: number[] = [];
  let lastPrompt: string | null = null;
  let lastPromptTokens: string[] = [];

  function add(hash: number): number {
    const slot = hash & mask;
    // the top bit picks the sign, independent of the slot for hashBits ≤ 24
    const sign = hash >>> 31 ? -1 : 1;
    if (!seen[slot]) {
      seen[slot] = 1;
      touched.push(slot);
    }
    acc[slot]! += sign;
    return slot;
  }

  // the finished vector accumulates here; blocks may collide on a slot and then add up
  const out = new Float64Array(hashDim);
  const outSeen = new Uint8Array(hashDim);
  const outSlots: number[] = [];

  /** Moves the touched slots into `out`: sublinear TF, the block scaled to L2 norm `norm`. */
  function drain(norm: number): void {
    let sum = 0;
    for (const slot of touched) {
      const c = acc[slot]!;
      const v = Math.sign(c) * Math.log1p(Math.abs(c));
      acc[slot] = v;
      sum += v * v;
    }
    const scale = sum > 0 ? norm / Math.sqrt(sum) : 0;
    for (const slot of touched) {
      if (acc[slot] !== 0) {
        if (!outSeen[slot]) {
          outSeen[slot] = 1;
          outSlots.push(slot);
        }
        out[slot]! += acc[slot]! * scale;
      }
      acc[slot] = 0;
      seen[slot] = 0;
    }
    touched.length = 0;
  }

  /** The prompt's own n-gram block (featurizer-config.ts: promptNgrams). */
  function promptBlock(prompt: string, range: readonly [number, number], names?: Map<number, string>): void {
    const tokens = tokenize(prompt, config.lowercase);
    const [lo, hi] = range;
    const hashes = tokens.map((t) => murmur3(t, PROMPT_SEED));
    for (let i = 0; i < hashes.length; i++) {
      let h = hi + 0x71; // n-gram order is part of the key, as for the response's words
      for (let n = 1; n <= hi && i + n <= hashes.length; n++) {
        h = combine(h, hashes[i + n - 1]!);
        if (n < lo) continue;
        const slot = add(combine(h, n));
        if (names && !names.has(slot)) names.set(slot, `prompt: ${tokens.slice(i, i + n).join(' ')}`);
      }
    }
    drain(config.promptWeight);
  }

  function featurize(prompt: string, response: string, names?: Map<number, string>): SparseVector {
    const tokens = tokenize(response, config.lowercase);
    if (config.wordNgrams) {
      const [lo, hi] = config.wordNgrams;
      const hashes = tokens.map((t) => murmur3(t, WORD_SEED));
      // a negated word is another word: "not good" must not add evidence for "good"
      const negated = config.negation ? negationScope(tokens) : null;
      if (negated)
        for (let i = 0; i < hashes.length; i++) if (negated[i]) hashes[i] = combine(NEGATED, hashes[i]!);
      for (let i = 0; i < hashes.length; i++) {
        let h = hi + 0x51; // n-gram order is part of the key
        for (let n = 1; n <= hi && i + n <= hashes.length; n++) {
          h = combine(h, hashes[i + n - 1]!);
          if (n >= lo) {
            const slot = add(combine(h, n));
            // names are only collected while training; building them per n-gram would dominate
            if (names && !names.has(slot)) {
              const words = tokens.slice(i, i + n).map((t, k) => (negated?.[i + k] ? `NOT_${t}` : t));
              names.set(slot, words.join(' '));
            }
          }
        }
      }
      if (config.lexicon) {
        const valence = vaderLexicon();
        for (let i = 0; i < tokens.length; i++) {
          const v = valence.get(config.lowercase ? tokens[i]! : tokens[i]!.toLowerCase());
          if (v === undefined) continue;
          const bucket = valenceBucket(negated?.[i] ? -v : v);
          if (bucket === 0) continue;
          const slot = add(combine(LEXICON, bucket + 8));
          if (names && !names.has(slot)) names.set(slot, `[lexicon ${bucket > 0 ? '+' : ''}${bucket}]`);
        }
      }
      drain(1);
    }
    if (config.charNgrams && config.charWeight > 0) {
      const [lo, hi] = config.charNgrams;
      for (const token of tokens) {
        const padded = ` ${token} `;
        for (let n = lo; n <= hi; n++) {
          for (let i = 0; i + n <= padded.length; i++) {
            const gram = padded.slice(i, i + n);
            const slot = add(murmur3(gram, CHAR_SEED));
            if (names && !names.has(slot)) names.set(slot, `"${gram}"`);
          }
        }
      }
      drain(config.charWeight);
    }
    if (prompt && config.promptNgrams && config.promptWeight > 0)
      promptBlock(prompt, config.promptNgrams, names);
    const slots = Int32Array.from(outSlots).sort(); // typed-array sort is numeric
    outSlots.length = 0;
    if (config.dense && prompt !== lastPrompt) {
      // pairs share their prompt: tokenize it once for both responses
      lastPrompt = prompt;
      lastPromptTokens = tokenize(prompt, true);
    }
    const dense = config.dense ? denseFeatures(response, tokens, lastPromptTokens) : null;
    const size = slots.length + denseCount;
    const indices = new Int32Array(size);
    const values = new Float32Array(size);
    slots.forEach((slot, i) => {
      indices[i] = slot;
      values[i] = out[slot]!;
      out[slot] = 0;
      outSeen[slot] = 0;
    });
    for (let j = 0; j < denseCount; j++) {
      indices[slots.length + j] = hashDim + j;
      values[slots.length + j] = dense![j]!;
    }
    return { indices, values };
  }

  return {
    config,
    dim,
    hashDim,
    featurize,
    denseName: (index) => (index >= hashDim && index < dim ? DENSE_FEATURE_NAMES[index - hashDim]! : null),
  };
}
