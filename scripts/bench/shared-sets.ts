/**
 * The preference sets of the shared read-only data folder (`../shared/data`, see its README), each
 * converted to TRL records `{prompt, chosen, rejected}`: the reward benchmark and the `arbiter` CLI
 * only read the standard formats, so every set is written out as TRL JSONL first.
 *
 * Two kinds of records never come out: those a set leaves out by definition (ties, no majority,
 * second-turn votes; not counted) and those that cannot be a valid pair (empty text, chosen equal to
 * rejected, HH transcripts whose shared turns differ; counted through `onSkip`).
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { ChatMessage } from '../../db/schema';
import { contentHash } from '../../tasks/content';
import { parseTranscript } from '../../tasks/import/formats';

export interface SharedSet {
  name: string;
  axis: 'helpfulness' | 'safety';
  description: string;
  /** data file(s) relative to the shared data folder, comma-separated */
  source: string;
}

export interface TrlRecord {
  prompt: string | ChatMessage[];
  chosen: string;
  rejected: string;
}

type Row = Record<string, any>;
/** A pair from a source file, or why that record cannot be one. */
type Candidate = TrlRecord | { skip: string };

interface Definition extends Omit<SharedSet, 'source'> {
  files: string[];
  read: (files: string[]) => AsyncIterable<Candidate>;
}

/** Where the shared data lives for a checkout at `repoRoot`, or null when the folder is absent. */
export function sharedDataDir(repoRoot: string): string | null {
  const dir = path.resolve(repoRoot, '../shared/data');
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? dir : null;
}

function gunzipped(file: string): Readable {
  const gunzip = createGunzip();
  // pipe() does not forward errors: without this a missing file would leave the reader waiting forever
  const input = fs.createReadStream(file).on('error', (error) => gunzip.destroy(error));
  return input.pipe(gunzip);
}

async function* readJsonl(file: string): AsyncGenerator<Row> {
  for await (const line of readline.createInterface({ input: gunzipped(file), crlfDelay: Infinity })) {
    if (line.trim()) yield JSON.parse(line) as Row;
  }
}

async function readJsonArray(file: string): Promise<Row[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of gunzipped(file)) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Row[];
}

async function* eachRow(files: string[]): AsyncGenerator<Row> {
  for (const file of files) {
    if (file.endsWith('.json.gz')) yield* await readJsonArray(file);
    else yield* readJsonl(file);
  }
}

/** Source fields are not always strings (PandaLM has booleans among its responses). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Chosen and rejected as separate fields, `better` naming which of the two won. */
function ordered(prompt: unknown, a: unknown, b: unknown, better: 'a' | 'b'): TrlRecord {
  const [chosen, rejected] = better === 'a' ? [a, b] : [b, a];
  return { prompt: text(prompt), chosen: text(chosen), rejected: text(rejected) };
}

/** An HH-RLHF pair of full transcripts: the shared turns become the prompt. */
function fromTranscripts(chosen: unknown, rejected: unknown): Candidate {
  let a: ChatMessage[], b: ChatMessage[];
  try {
    a = parseTranscript(text(chosen));
    b = parseTranscript(text(rejected));
  } catch (error) {
    return { skip: (error as Error).message };
  }
  const lastA = a[a.length - 1]!;
  const lastB = b[b.length - 1]!;
  if (lastA.role !== 'assistant' || lastB.role !== 'assistant') {
    return { skip: 'a transcript does not end with an assistant turn' };
  }
  const context = a.slice(0, -1);
  if (JSON.stringify(context) !== JSON.stringify(b.slice(0, -1))) {
    return { skip: 'chosen and rejected differ before their final assistant turn' };
  }
  return { prompt: context, chosen: lastA.content, rejected: lastB.content };
}

async function* hhTranscripts(files: string[]): AsyncGenerator<Candidate> {
  for await (const row of eachRow(files)) yield fromTranscripts(row.chosen, row.rejected);
}

async function* promptChosenRejected(files: string[]): AsyncGenerator<Candidate> {
  for await (const row of eachRow(files)) yield ordered(row.prompt, row.chosen, row.rejected, 'a');
}

function pkuSample(idField: 'better_response_id' | 'safer_response_id') {
  return async function* (files: string[]): AsyncGenerator<Candidate> {
    for await (const row of eachRow(files)) {
      const id = row[idField];
      if (id !== 0 && id !== 1) yield { skip: `${idField} is ${text(id)}` };
      else yield ordered(row.prompt, row.response_0, row.response_1, id === 0 ? 'a' : 'b');
    }
  };
}

async function* llmbar(files: string[]): AsyncGenerator<Candidate> {
  for await (const row of eachRow(files)) {
    // the label is the string "1" or "2" in these files
    const label = Number(row.label);
    if (label !== 1 && label !== 2) yield { skip: `label is ${text(row.label)}` };
    else yield ordered(row.input, row.output_1, row.output_2, label === 1 ? 'a' : 'b');
  }
}

interface OasstMessage {
  role: 'prompter' | 'assistant';
  text: string;
  rank: number | null;
  replies?: OasstMessage[];
}

/** Under each prompter message, every two ranked assistant replies of different rank (0 = best). */
function* rankedPairs(node: OasstMessage, path: ChatMessage[]): Generator<Candidate> {
  const here: ChatMessage[] = [
    ...path,
    { role: node.role === 'prompter' ? 'user' : 'assistant', content: node.text },
  ];
  const replies = node.replies ?? [];
  if (node.role === 'prompter') {
    const ranked = replies.filter((r) => r.role === 'assistant' && typeof r.rank === 'number');
    for (let i = 0; i < ranked.length; i++) {
      for (let j = i + 1; j < ranked.length; j++) {
        const [a, b] = [ranked[i]!, ranked[j]!];
        if (a.rank === b.rank) continue;
        const [chosen, rejected] = a.rank! < b.rank! ? [a, b] : [b, a];
        yield { prompt: here, chosen: text(chosen.text), rejected: text(rejected.text) };
      }
    }
  }
  for (const reply of replies) yield* rankedPairs(reply, here);
}

/** At most two pairs per question (best vs worst, best vs runner-up), so big threads do not dominate. */
function stackExchangePairs(row: Row): Candidate[] {
  const answers = [...(row.answers as { text: string; pm_score: number }[])].sort(
    (x, y) => y.pm_score - x.pm_score,
  );
  const best = answers[0];
  const worst = answers[answers.length - 1];
  if (!best || !worst || best.pm_score === worst.pm_score) return [];
  const runnerUp = answers.find((a) => a.pm_score < best.pm_score)!;
  const question = htmlToText(row.question);
  return [worst, ...(runnerUp === worst ? [] : [runnerUp])].map((other) =>
    ordered(question, htmlToText(best.text), htmlToText(other.text), 'a'),
  );
}

// the named entities that occur in the sample; others stay as written
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  deg: '°',
  rarr: '→',
  mu: 'µ',
  trade: '™',
};

/** Readable text from Stack Exchange HTML: block ends become line breaks, tags go, entities decode. */
function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/(li|div|tr)>/gi, '\n')
    .replace(/<\/(p|h[1-6]|pre|blockquote|ul|ol)>|<hr\s*\/?>/gi, '\n\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, code: string) => {
      if (!code.startsWith('#')) return ENTITIES[code.toLowerCase()] ?? entity;
      const point = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1));
      return point <= 0x10ffff ? String.fromCodePoint(point) : entity;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** HelpSteer rates single responses: two responses to one prompt with different helpfulness form a pair. */
async function* helpSteer(files: string[]): AsyncGenerator<Candidate> {
  const byPrompt = new Map<string, Row[]>();
  for await (const row of eachRow(files)) {
    byPrompt.set(row.prompt, [...(byPrompt.get(row.prompt) ?? []), row]);
  }
  for (const [prompt, rows] of byPrompt) {
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const [a, b] = [rows[i]!, rows[j]!];
        if (a.helpfulness === b.helpfulness) continue;
        yield ordered(prompt, a.response, b.response, a.helpfulness > b.helpfulness ? 'a' : 'b');
      }
    }
  }
}

function first(conversation: ChatMessage[], role: ChatMessage['role']): string | undefined {
  return conversation.find((m) => m.role === role)?.content;
}

const HH_HELPFUL_PARTS = ['base', 'online', 'rejection-sampled'];
const hhHelpfulTest = (part: string) => `hh-rlhf-helpful/helpful-${part}/test.jsonl.gz`;
const LLMBAR = { faireval: 'FairEval', llmeval2: 'LLMEval2', 'mt-bench': 'MT-Bench' };

const DEFINITIONS: Definition[] = [
  ...HH_HELPFUL_PARTS.map((part) => ({
    name: `hh-helpful-${part}`,
    axis: 'helpfulness' as const,
    description: `Anthropic HH-RLHF helpful-${part} test set (70% sample): the preferred final assistant turn`,
    files: [hhHelpfulTest(part)],
    read: hhTranscripts,
  })),
  {
    name: 'hh-helpful-all',
    axis: 'helpfulness',
    description: 'the three HH-RLHF helpful test sets concatenated',
    files: HH_HELPFUL_PARTS.map(hhHelpfulTest),
    read: hhTranscripts,
  },
  {
    name: 'hh-train-helpful',
    axis: 'helpfulness',
    description: 'HH-RLHF helpful-base train sample (350 of the first 500)',
    files: ['hh-rlhf-train-sample/helpful-base_train_first500.jsonl.gz'],
    read: hhTranscripts,
  },
  {
    name: 'hh-train-harmless',
    axis: 'safety',
    description: 'HH-RLHF harmless-base train sample (350 of the first 500): chosen = less harmful',
    files: ['hh-rlhf-train-sample/harmless-base_train_first500.jsonl.gz'],
    read: hhTranscripts,
  },
  {
    name: 'hh-dahoas',
    axis: 'helpfulness',
    description: 'HH-RLHF as re-exported by Dahoas (prompt split off; helpful and harmless mixed)',
    files: ['hh-rlhf-dahoas-full-sample/sample500.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) {
        yield fromTranscripts(text(row.prompt) + text(row.chosen), text(row.prompt) + text(row.rejected));
      }
    },
  },
  {
    name: 'ultrafeedback',
    axis: 'helpfulness',
    description: 'UltraFeedback binarized sample: GPT-4-rated better vs worse response',
    files: ['ultrafeedback-binarized-sample/train.jsonl.gz'],
    read: promptChosenRejected,
  },
  {
    name: 'reward-bench',
    axis: 'helpfulness',
    description: 'RewardBench sample (AlpacaEval, MT-Bench and LLMBar subsets)',
    files: ['reward-bench-filtered-sample/sample500.jsonl.gz'],
    read: promptChosenRejected,
  },
  {
    name: 'pku-safe-vs-unsafe',
    axis: 'safety',
    description: 'PKU-SafeRLHF v0 test pairs where exactly one response is safe: chosen = safe',
    files: ['pku-saferlhf-v0-test-safe-vs-unsafe/pairs.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) {
        yield ordered(row.prompt, row.response[0], row.response[1], 'a');
      }
    },
  },
  {
    name: 'pku-sample-helpful',
    axis: 'helpfulness',
    description: 'PKU-SafeRLHF sample, helpfulness preference (better_response_id)',
    files: ['pku-saferlhf-sample/train_sample500.jsonl.gz'],
    read: pkuSample('better_response_id'),
  },
  {
    name: 'pku-sample-safety',
    axis: 'safety',
    description: 'PKU-SafeRLHF sample, safety preference (safer_response_id)',
    files: ['pku-saferlhf-sample/train_sample500.jsonl.gz'],
    read: pkuSample('safer_response_id'),
  },
  {
    name: 'autoj-no-ties',
    axis: 'helpfulness',
    description: 'Auto-J human-labelled pairwise test set, 58 scenarios, ties dropped',
    files: ['autoj-pairwise-test/testdata_pairwise.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) {
        if (row.label === 2) continue; // tie
        if (row.label !== 0 && row.label !== 1) yield { skip: `label is ${text(row.label)}` };
        else yield ordered(row.prompt, row['response 1'], row['response 2'], row.label === 0 ? 'a' : 'b');
      }
    },
  },
  {
    name: 'pandalm-majority',
    axis: 'helpfulness',
    description: 'PandaLM human test set, majority of 3 annotators; ties and no-majority dropped',
    files: ['pandalm-human-testset/pairs_3annotators.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) {
        const votes = [row.annotator1, row.annotator2, row.annotator3];
        const winner = [1, 2].find((label) => votes.filter((v) => v === label).length >= 2);
        if (winner === undefined) continue;
        const prompt = text(row.input).trim()
          ? `${text(row.instruction)}\n\n${text(row.input)}`
          : row.instruction;
        yield ordered(prompt, row.response1, row.response2, winner === 1 ? 'a' : 'b');
      }
    },
  },
  {
    name: 'oasst-ranked',
    axis: 'helpfulness',
    description: 'Open-Assistant ranked sibling replies (English, 70 trees): every pair of different rank',
    files: ['oasst-en100-ranked/message_trees.jsonl.gz'],
    read: async function* (files) {
      for await (const tree of eachRow(files)) yield* rankedPairs(tree as OasstMessage, []);
    },
  },
  ...Object.entries(LLMBAR).map(([slug, file]) => ({
    name: `llmbar-${slug}`,
    axis: 'helpfulness' as const,
    description: `LLMBar processed ${file} human-preference meta-evaluation set (no ties)`,
    files: [`llmbar-processed/${file}.json.gz`],
    read: llmbar,
  })),
  {
    name: 'mt-bench-human',
    axis: 'helpfulness',
    description: 'MT-Bench expert votes on turn 1 (one record per judge; ties and turn-2 votes dropped)',
    files: ['mt-bench-human-judgments-sample/human_judgments_first200.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) {
        // a turn-2 vote judges the second answers, whose context (each model's own first answer) differs
        if (row.turn !== 1 || (row.winner !== 'model_a' && row.winner !== 'model_b')) continue;
        const prompt = first(row.conversation_a, 'user');
        if (prompt !== first(row.conversation_b, 'user')) yield { skip: 'the two conversations differ' };
        else {
          const [a, b] = [first(row.conversation_a, 'assistant'), first(row.conversation_b, 'assistant')];
          yield ordered(prompt, a, b, row.winner === 'model_a' ? 'a' : 'b');
        }
      }
    },
  },
  {
    name: 'arena',
    axis: 'helpfulness',
    description: 'Chatbot Arena human votes, first turn of each conversation, ties dropped',
    files: ['arena-human-preference-55k-sample/sample500.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) {
        if (row.winner_tie || row.winner_model_a === row.winner_model_b) continue;
        const [prompt, a, b] = [row.prompt, row.response_a, row.response_b].map((v) => JSON.parse(v)[0]);
        yield ordered(prompt, a, b, row.winner_model_a ? 'a' : 'b');
      }
    },
  },
  {
    name: 'stack-exchange',
    axis: 'helpfulness',
    description: 'Stack Exchange answers by vote score (HTML as text): best vs worst and best vs runner-up',
    files: ['stack-exchange-preferences-sample/sample500.jsonl.gz'],
    read: async function* (files) {
      for await (const row of eachRow(files)) yield* stackExchangePairs(row);
    },
  },
  {
    name: 'helpsteer',
    axis: 'helpfulness',
    description:
      'HelpSteer sample: two responses to one prompt with different helpfulness ratings (few: 198 pairs from 135 prompts)',
    files: ['helpsteer-sample/train_sample500.jsonl.gz'],
    read: helpSteer,
  },
];

/** Every usable preference set in the shared data folder. */
export const SHARED_SETS: SharedSet[] = DEFINITIONS.map(({ name, axis, description, files }) => ({
  name,
  axis,
  description,
  source: files.join(', '),
}));

/** Whitespace at the ends is noise in every source (Auto-J and Dahoas responses start with a space). */
function trimmed(record: TrlRecord): TrlRecord {
  const prompt =
    typeof record.prompt === 'string'
      ? record.prompt.trim()
      : record.prompt.map((m) => ({ role: m.role, content: m.content.trim() }));
  return { prompt, chosen: record.chosen.trim(), rejected: record.rejected.trim() };
}

/** Why the TRL parser (tasks/import/formats.ts) would reject this record, or null when it would not. */
function invalidReason({ prompt, chosen, rejected }: TrlRecord): string | null {
  const promptTexts = typeof prompt === 'string' ? [prompt] : prompt.map((m) => m.content);
  if (promptTexts.length === 0 || promptTexts.some((t) => !t)) return 'empty prompt or prompt turn';
  if (typeof prompt !== 'string' && prompt[prompt.length - 1]!.role !== 'user') {
    return 'the prompt does not end with a user turn';
  }
  if (!chosen || !rejected) return 'empty response';
  if (contentHash(chosen) === contentHash(rejected)) return 'chosen and rejected are the same';
  if ([...promptTexts, chosen, rejected].some((t) => t.length > 200_000)) {
    return 'text over 200,000 characters';
  }
  return null;
}

/**
 * Reads one shared set as TRL records, each accepted by `parseRecord('trl', record)`: chosen and
 * rejected differ and are non-empty, a list prompt ends with a user turn. Records that cannot be
 * such a pair are skipped and reported to `onSkip`. Throws on an unknown name or a missing file.
 */
export async function* readSharedSet(
  dataDir: string,
  name: string,
  options: { onSkip?: (reason: string) => void } = {},
): AsyncGenerator<TrlRecord> {
  const set = DEFINITIONS.find((d) => d.name === name);
  if (!set) throw new Error(`no shared set "${name}"; known: ${DEFINITIONS.map((d) => d.name).join(', ')}`);
  for await (const candidate of set.read(set.files.map((file) => path.join(dataDir, file)))) {
    if ('skip' in candidate) {
      options.onSkip?.(candidate.skip);
      continue;
    }
    const record = trimmed(candidate);
    const reason = invalidReason(record);
    if (reason === null) yield record;
    else options.onSkip?.(reason);
  }
}

/**
 * Writes one shared set as TRL JSONL (gzip when `outFile` ends with .gz), creating the folder, and
 * says how many records were written and skipped.
 */
export async function writeSharedSetJsonl(
  dataDir: string,
  name: string,
  outFile: string,
): Promise<{ name: string; written: number; skipped: number }> {
  let written = 0;
  let skipped = 0;
  async function* lines() {
    for await (const record of readSharedSet(dataDir, name, { onSkip: () => skipped++ })) {
      written++;
      yield `${JSON.stringify(record)}\n`;
    }
  }
  await fs.promises.mkdir(path.dirname(outFile), { recursive: true });
  const out = fs.createWriteStream(outFile);
  await (outFile.endsWith('.gz') ? pipeline(lines, createGzip(), out) : pipeline(lines, out));
  return { name, written, skipped };
}
