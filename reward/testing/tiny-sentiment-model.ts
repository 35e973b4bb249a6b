/**
 * A tiny pretrained sentiment classifier in the Transformers.js layout (config.json with id2label,
 * tokenizer files, onnx/model.onnx), for tests of the cold start that must run with no download:
 * a few cue words carry all the evidence, so what it says about a text is known in advance.
 */
import path from 'node:path';
import { writeTinyBertModel } from './tiny-bert';
import { writeTinyTokenizer } from './tiny-tokenizer';

/** the model's classes, in id order, as an SST-2 export names them */
export const TINY_SENTIMENT_LABELS = ['NEGATIVE', 'POSITIVE'] as const;

const CUES: Record<string, [number, number]> = {
  good: [-4, 4],
  great: [-5, 5],
  love: [-5, 5],
  bad: [4, -4],
  awful: [5, -5],
  broken: [4, -4],
};

/**
 * Writes the model under `<root>/<modelId>` and returns that directory. Texts with more positive
 * cue words than negative ones come out POSITIVE, and the other way round; texts without cues get
 * 50/50 (cue evidence is averaged over all tokens, so long texts are less sure).
 */
export function writeTinySentimentModel(root: string, modelId: string): string {
  const dir = path.join(root, modelId);
  const { vocabSize, vocab } = writeTinyTokenizer(dir, {
    words: Object.keys(CUES),
    config: {
      architectures: ['BertForSequenceClassification'],
      id2label: Object.fromEntries(TINY_SENTIMENT_LABELS.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(TINY_SENTIMENT_LABELS.map((l, i) => [l, i])),
    },
  });
  const evidence = new Map(Object.entries(CUES).map(([word, values]) => [vocab[word]!, values]));
  writeTinyBertModel(dir, { vocabSize, hidden: 2, seed: 1, classifier: { classes: 2, evidence } });
  return dir;
}
