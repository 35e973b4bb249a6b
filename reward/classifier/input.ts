/**
 * A classifier input is one string, so the trainer's merging of identical texts, its whole-text
 * validation splits and the artefact's scoring all stay as they are. A prompt-aware input (the
 * safety classifier judges a response *to* a prompt) carries the prompt before a NUL character,
 * which no stored text contains (PostgreSQL text cannot hold one; the safety file reader drops them).
 */
import type { Featurizer } from '../featurize';
import type { SparseVector } from '../sparse';

const SEPARATOR = '\u0000';

/** The input for `response` answering `prompt` (just the response when there is no prompt). */
export function classifierText(prompt: string, response: string): string {
  return prompt ? `${prompt}${SEPARATOR}${response}` : response;
}

/** The input's prompt and response ('' and the whole text for a plain text). */
export function splitClassifierText(text: string): { prompt: string; response: string } {
  const at = text.indexOf(SEPARATOR);
  return at < 0
    ? { prompt: '', response: text }
    : { prompt: text.slice(0, at), response: text.slice(at + 1) };
}

/** Features of a classifier input. */
export function featurizeText(
  featurizer: Featurizer,
  text: string,
  names?: Map<number, string>,
): SparseVector {
  const { prompt, response } = splitClassifierText(text);
  return featurizer.featurize(prompt, response, names);
}
