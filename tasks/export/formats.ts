/**
 * The one place that maps an exported pair (its conversation, the two responses and the consensus
 * preference) to the records of each dataset format; the screens, the API and the CLI all write
 * through `exportRecords`. Every paired format is read back by tasks/import/formats.ts to the same
 * conversation, responses and preference (HH-RLHF up to surrounding whitespace, which the content
 * hash ignores too), so an export re-imports to the same pairs and `arbiter reward train` reads it
 * as is. Model names and pair ids are not part of any of these formats and are not written.
 *
 * What a format cannot hold is refused with an ExportFormatError rather than changed silently:
 * - `trl` and `kto` (TRL's standard form: strings) hold one user turn; a conversation with earlier
 *   turns or a system message exports as `trl-conversational` or `openai` instead. Rendering the
 *   turns into the prompt string would re-import as one user message, a different prompt.
 * - `hh-rlhf` has no system role and separates turns by "\n\nHuman:" / "\n\nAssistant:"; a
 *   conversation with a system message, one that starts with an assistant turn, or a text holding
 *   either separator is refused (prefixing a system prompt to the first Human turn, or escaping
 *   the separators, would re-import as a different conversation).
 */
import type { ChatMessage } from '../../db/schema';
import { UserInputError } from '../errors';

export const PREFERENCE_FORMATS = ['trl', 'trl-conversational', 'hh-rlhf', 'openai', 'kto'] as const;
export type PreferenceFormat = (typeof PREFERENCE_FORMATS)[number];

/** The formats with a `margin` field (TRL's reward trainer reads it; the others have no place for it). */
export const MARGIN_FORMATS: readonly PreferenceFormat[] = ['trl', 'trl-conversational'];

export interface ExportPair {
  pairId: string;
  /** the conversation up to (and ending with) the last user turn */
  messages: ChatMessage[];
  a: { text: string; model: string };
  b: { text: string; model: string };
  /** ties are filtered before (or handled by the caller's policy) */
  preferred: 'a' | 'b';
  /** the axis consensus mean, −3..3, canonical (negative favours A) */
  score: number;
}

export interface ExportOptions {
  /** add TRL's `margin` field: see `preferenceMargin` */
  margin?: boolean;
}

/**
 * A pair the chosen format cannot represent faithfully, or an option it does not have. A
 * UserInputError on the `format` field: the person exporting picks another format.
 */
export class ExportFormatError extends UserInputError {
  constructor(
    message: string,
    readonly format: PreferenceFormat,
  ) {
    super(message, 'format', 'unsupported');
    this.name = 'ExportFormatError';
  }
}

/** the separators parseTranscript splits on */
const HH_SEPARATOR = /\n\n(Human|Assistant):/;

/** Why `format` cannot hold this pair unchanged, or null when it can. */
export function unsupportedReason(format: PreferenceFormat, pair: ExportPair): string | null {
  const { messages } = pair;
  if (format === 'trl' || format === 'kto') {
    if (messages.length !== 1) {
      const has = messages.some((m) => m.role === 'system') ? 'a system message' : 'earlier turns';
      return `standard ${format === 'trl' ? 'TRL' : 'KTO'} records hold a single user turn; this conversation has ${has}: export it as trl-conversational or openai`;
    }
  }
  if (format === 'hh-rlhf') {
    if (messages.some((m) => m.role === 'system')) {
      return 'HH-RLHF transcripts have no system role; this conversation has a system message: export it as trl-conversational or openai';
    }
    if (messages[0]!.role !== 'user') return 'HH-RLHF transcripts start with a Human turn';
    const texts = [...messages.map((m) => m.content), pair.a.text, pair.b.text];
    if (texts.some((t) => HH_SEPARATOR.test(t))) {
      return 'a text holds "\\n\\nHuman:" or "\\n\\nAssistant:", which an HH-RLHF transcript reads as a new turn: export it as trl-conversational or openai';
    }
  }
  return null;
}

/**
 * The graded strength of the preference, 0..3: |score| when the consensus mean favours the
 * preferred response, 0 when it is level or favours the other one (a majority vote or a safety
 * override can prefer the side the mean does not). TRL's reward trainer subtracts it from the
 * reward difference, so a stronger preference asks for a wider gap; it is on the judgment scale,
 * not rescaled.
 */
export function preferenceMargin(pair: Pick<ExportPair, 'preferred' | 'score'>): number {
  const towardPreferred = pair.preferred === 'a' ? -pair.score : pair.score;
  return towardPreferred > 0 ? towardPreferred : 0;
}

function checkPair(pair: ExportPair): void {
  const last = pair.messages[pair.messages.length - 1];
  if (last?.role !== 'user')
    throw new Error(`pair ${pair.pairId}: the conversation must end with a user turn`);
  if (pair.preferred !== 'a' && pair.preferred !== 'b') {
    throw new Error(`pair ${pair.pairId}: preferred must be "a" or "b"`);
  }
  if (!Number.isFinite(pair.score) || Math.abs(pair.score) > 3) {
    throw new Error(`pair ${pair.pairId}: score must be a number from -3 to 3`);
  }
}

const assistant = (content: string): ChatMessage[] => [{ role: 'assistant', content }];

function transcript(messages: ChatMessage[], answer: string): string {
  const turns = [...messages, { role: 'assistant' as const, content: answer }];
  return turns.map((m) => `\n\n${m.role === 'user' ? 'Human' : 'Assistant'}: ${m.content}`).join('');
}

type Builder = (messages: ChatMessage[], chosen: string, rejected: string) => Record<string, unknown>[];

const BUILDERS: Record<PreferenceFormat, Builder> = {
  trl: (messages, chosen, rejected) => [{ prompt: messages[0]!.content, chosen, rejected }],
  'trl-conversational': (messages, chosen, rejected) => [
    { prompt: messages, chosen: assistant(chosen), rejected: assistant(rejected) },
  ],
  'hh-rlhf': (messages, chosen, rejected) => [
    { chosen: transcript(messages, chosen), rejected: transcript(messages, rejected) },
  ],
  // tools and parallel_tool_calls are optional in OpenAI's format; exported pairs have no tools
  openai: (messages, chosen, rejected) => [
    { input: { messages }, preferred_output: assistant(chosen), non_preferred_output: assistant(rejected) },
  ],
  kto: (messages, chosen, rejected) => [
    { prompt: messages[0]!.content, completion: chosen, label: true },
    { prompt: messages[0]!.content, completion: rejected, label: false },
  ],
};

/**
 * The records of one pair in `format`: one record, or two for `kto` (the chosen response with
 * label true, then the rejected one with label false). The preferred response is always TRL's
 * `chosen`, OpenAI's `preferred_output` and HH-RLHF's `chosen` transcript. With `margin` (TRL
 * formats only) each record gets `margin` = preferenceMargin(pair). Messages are copied as
 * `{role, content}`, so the records share nothing with `pair`. Throws ExportFormatError when the
 * format cannot hold the pair (unsupportedReason) or has no margin field, and Error when the pair
 * breaks its contract (conversation not ending with a user turn, score outside −3..3).
 */
export function exportRecords(
  format: PreferenceFormat,
  pair: ExportPair,
  options: ExportOptions = {},
): object[] {
  checkPair(pair);
  if (options.margin && !MARGIN_FORMATS.includes(format)) {
    throw new ExportFormatError(
      `${format} records have no margin field; margins are for TRL formats`,
      format,
    );
  }
  const reason = unsupportedReason(format, pair);
  if (reason) throw new ExportFormatError(`pair ${pair.pairId}: ${reason}`, format);
  const messages = pair.messages.map((m) => ({ role: m.role, content: m.content }));
  const [chosen, rejected] = pair.preferred === 'a' ? [pair.a, pair.b] : [pair.b, pair.a];
  const records = BUILDERS[format](messages, chosen.text, rejected.text);
  if (!options.margin) return records;
  const margin = preferenceMargin(pair);
  return records.map((r) => ({ ...r, margin }));
}
