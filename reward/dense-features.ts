/**
 * Hand-written features of one response given its prompt: length, formatting, refusal and
 * hedging phrases, and how much of the prompt the response takes up. They carry what hashed
 * n-grams see poorly (overall length, structure, relevance). Values are raw; the trainer fits
 * their scale on training data only and folds it into the weights.
 */
import { words } from './tokenize';

const STOP = new Set(
  'a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those i you he she we they me my your our their do does did have has had not no so than then there here what which who whom how why when where can could would should will shall may might must just also very about into over out up down'.split(
    ' ',
  ),
);

// matched against lowercased text, without the i and u flags: the phrases are ASCII, and V8 runs
// these 4-7× faster without case folding and Unicode mode
const REFUSAL =
  /\b(i(?: a|')m sorry|i apologi[sz]e|i (?:can(?:no|')t|cannot|won't|will not|am not able to|'m not able to|am unable to|'m unable to)|as an ai|i'm just an ai|i am just an ai|not (?:appropriate|ethical|legal)|it is (?:not )?(?:illegal|unethical|against)|i (?:would|do) not (?:recommend|advise|condone)|i don't (?:recommend|think (?:that|it) is (?:a good|appropriate)))/g;
const HEDGE = /\b(i think|i believe|perhaps|maybe|it depends|not sure|i'm not sure|might be|could be)\b/g;
const HARM =
  /\b(kill|murder|weapon|gun|bomb|explosive|poison|drug|cocaine|heroin|meth|steal|rob|hack|fraud|launder|suicide|racist|n-word|assault|abuse|kidnap|torture|terror\w*)\b/g;
const SAFE_ADVICE =
  /\b(police|authorities|professional|therapist|doctor|lawyer|hotline|seek help|consult)\b/g;

const LETTER = /\p{L}/u;
const UPPER = /\p{Lu}/u;
const DIGIT = /\p{N}/u;

function count(text: string, re: RegExp): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text)) n++;
  return n;
}

function contentWords(wordTokens: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const w of wordTokens) if (!STOP.has(w) && w.length > 1) out.add(w);
  return out;
}

// both responses of a pair share the prompt's token array: its word set is computed once
let cachedPrompt: readonly string[] | null = null;
let cachedPromptSet = new Set<string>();
let cachedPromptWords = 0;

function promptSummary(promptTokens: readonly string[]): { set: Set<string>; words: number } {
  if (promptTokens !== cachedPrompt) {
    const promptWords = words(promptTokens);
    cachedPrompt = promptTokens;
    cachedPromptSet = contentWords(promptWords);
    cachedPromptWords = promptWords.length;
  }
  return { set: cachedPromptSet, words: cachedPromptWords };
}

/** Feature names, in slot order (the artefact records them for explanations). */
export const DENSE_FEATURE_NAMES = [
  'log characters',
  'log words',
  'log lines',
  'log list items',
  'code blocks',
  'log headings',
  'log emphasis marks',
  'log questions',
  'log exclamations',
  'refusal phrases',
  'hedging phrases',
  'harm terms',
  'safety referrals',
  'prompt coverage',
  'response novelty',
  'log length vs prompt',
  'type/token ratio',
  'mean word length',
  'log mean sentence length',
  'first person rate',
  'second person rate',
  'digit rate',
  'uppercase rate',
  'links',
  'very short (<5 words)',
  'ends mid-sentence',
  'repeated lines',
  'starts with refusal',
] as const;

export const DENSE_FEATURE_COUNT = DENSE_FEATURE_NAMES.length;

/**
 * The dense features of `response` answering the prompt, in DENSE_FEATURE_NAMES order.
 * `tokens`/`promptTokens` are the lowercased tokenizations (passed in: the featurizer already has them).
 */
export function denseFeatures(
  response: string,
  tokens: readonly string[],
  promptTokens: readonly string[],
): Float64Array {
  const responseWords = words(tokens);
  const nWords = responseWords.length;
  const lines = response.split('\n').filter((l) => l.trim() !== '');
  const listItems = lines.filter((l) => /^\s*(?:[-*•]|\d+[.)])\s+/u.test(l)).length;
  const sentences = Math.max(1, (response.match(/[.!?]+(?:\s|$)/gu) ?? []).length);
  const { set: promptSet, words: promptWordCount } = promptSummary(promptTokens);
  const responseSet = contentWords(responseWords);
  let shared = 0;
  for (const w of responseSet) if (promptSet.has(w)) shared++;
  let letters = 0;
  let upper = 0;
  let digits = 0;
  for (let i = 0; i < response.length; i++) {
    const c = response.charCodeAt(i);
    // ASCII by arithmetic; everything else through the Unicode classes (rare in most data)
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
        letters++;
        if (c <= 90) upper++;
      } else if (c >= 48 && c <= 57) digits++;
    } else {
      const ch = response[i]!;
      if (LETTER.test(ch)) {
        letters++;
        if (UPPER.test(ch)) upper++;
      } else if (DIGIT.test(ch)) digits++;
    }
  }
  const chars = Math.max(1, response.length);
  const lower = response.toLowerCase();
  const first = responseWords.filter((w) => w === 'i' || w === 'me' || w === 'my' || w === "i'm").length;
  const second = responseWords.filter((w) => w === 'you' || w === 'your' || w === "you're").length;
  const distinctLines = new Set(lines.map((l) => l.trim()));
  const trimmed = response.trim();
  const head = lower.slice(0, 80);
  const values = [
    Math.log1p(response.length),
    Math.log1p(nWords),
    Math.log1p(lines.length),
    Math.log1p(listItems),
    Math.min(3, (response.match(/```/gu) ?? []).length / 2),
    Math.log1p(lines.filter((l) => /^\s*#{1,6}\s/u.test(l)).length),
    Math.log1p((response.match(/\*\*|__/gu) ?? []).length),
    Math.log1p(count(response, /\?/gu)),
    Math.log1p(count(response, /!/gu)),
    Math.min(3, count(lower, REFUSAL)),
    Math.min(3, count(lower, HEDGE)),
    Math.min(5, count(lower, HARM)),
    Math.min(3, count(lower, SAFE_ADVICE)),
    promptSet.size ? shared / promptSet.size : 0,
    responseSet.size ? 1 - shared / responseSet.size : 0,
    Math.log1p(nWords) - Math.log1p(promptWordCount),
    nWords ? new Set(responseWords).size / nWords : 0,
    nWords ? responseWords.reduce((s, w) => s + w.length, 0) / nWords : 0,
    Math.log1p(nWords / sentences),
    nWords ? first / nWords : 0,
    nWords ? second / nWords : 0,
    digits / chars,
    letters ? upper / letters : 0,
    count(response, /https?:\/\//gu),
    nWords < 5 ? 1 : 0,
    trimmed && !/[.!?)"'`*:\]]$/u.test(trimmed) ? 1 : 0,
    lines.length ? 1 - distinctLines.size / lines.length : 0,
    count(head, REFUSAL) > 0 ? 1 : 0,
  ];
  return Float64Array.from(values);
}
