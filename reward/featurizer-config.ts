/**
 * The featurizer's versioned configuration. It travels inside every model artefact, so a model
 * always featurizes text exactly as it did when it was trained.
 */
import { z } from 'zod';

export const FEATURIZER_VERSION = 1;

const Range = z
  .tuple([z.number().int().min(1).max(8), z.number().int().min(1).max(8)])
  .refine(([lo, hi]) => lo <= hi, { message: 'an n-gram range is [min, max] with min ≤ max' });

export const FeaturizerConfigSchema = z.object({
  version: z.literal(FEATURIZER_VERSION),
  /** hashed features live in [0, 2^hashBits); dense features follow them */
  hashBits: z.number().int().min(8).max(24),
  /** word n-gram range, e.g. [1, 2] for unigrams and bigrams; null turns word n-grams off */
  wordNgrams: Range.nullable(),
  /** character n-gram range inside word boundaries, e.g. [3, 5]; null turns them off */
  charNgrams: Range.nullable(),
  /** relative weight of the character n-gram block against the word block */
  charWeight: z.number().min(0).max(10),
  lowercase: z.boolean(),
  /**
   * Negation marking (Das & Chen; Pang et al.): word tokens between a negator ("not", "n't", "never",
   * …) and the next clause punctuation count as different words ("not good" ≠ "good"), so a linear
   * model can learn that negated praise is criticism. Off for reward models trained before it.
   */
  negation: z.boolean().default(false),
  /**
   * Words of the VADER sentiment lexicon also count as one of six pseudo-words, "positive word of
   * strength 1–3" or "negative word of strength 1–3" (flipped inside a negation's scope), so a
   * model trained on a few hundred labels can generalize to evaluative words it never saw labelled.
   */
  lexicon: z.boolean().default(false),
  /** hand-written length, formatting, refusal and prompt-overlap features */
  dense: z.boolean(),
  /**
   * Word n-grams of the prompt in their own hash namespace and L2 block ("steal" in the question is
   * another feature than "steal" in the answer). Off for every model trained before it; the safety
   * classifier turns it on (BeaverTails: about +1.5 points, docs/experiments).
   */
  promptNgrams: Range.nullable().default(null),
  /** weight of the prompt block against the response's word block */
  promptWeight: z.number().min(0).max(10).default(1),
  /** optional sentence-embedding model id under the local model directory */
  embeddingModel: z.string().min(1).max(200).nullable(),
});
export type FeaturizerConfig = z.infer<typeof FeaturizerConfigSchema>;

export const DEFAULT_FEATURIZER: FeaturizerConfig = {
  version: FEATURIZER_VERSION,
  hashBits: 18,
  wordNgrams: [1, 2],
  charNgrams: null,
  charWeight: 0.5,
  lowercase: true,
  negation: false,
  lexicon: false,
  dense: true,
  promptNgrams: null,
  promptWeight: 1,
  embeddingModel: null,
};
