/**
 * The preference formats Arbiter reads, each mapped to one normalized record: the conversation up
 * to the judged turn, two or more candidate responses, and (for labelled files) which response the
 * source preferred, kept as a hidden reference that annotators never see.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../db/schema';
import { ChatMessageSchema, NativePreferenceRecordSchema } from '../records';
import { contentHash } from '../content';
import { findUnstorableText } from '../storable-text';

export const IMPORT_FORMATS = ['arbiter', 'hh-rlhf', 'trl', 'openai'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface PreferenceRecord {
  messages: ChatMessage[];
  responses: { model: string; text: string }[];
  language: string | null;
  domain: string | null;
  meta: Record<string, unknown>;
  /** index into `responses` of the response the source file preferred */
  preferredIndex?: number;
}

export class RecordError extends Error {}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/**
 * Guesses the format from a record's keys: "responses" is Arbiter's, "preferred_output" OpenAI's
 * preference fine-tuning format, "chosen" + "rejected" TRL's (with "prompt", or message lists)
 * or else HH-RLHF's transcripts.
 */
export function detectFormat(value: unknown): ImportFormat | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const keys = new Set(Object.keys(value));
  if (keys.has('responses')) return 'arbiter';
  if (keys.has('preferred_output')) return 'openai';
  if (keys.has('chosen') && keys.has('rejected')) {
    const chosen = (value as Record<string, unknown>).chosen;
    return keys.has('prompt') || Array.isArray(chosen) ? 'trl' : 'hh-rlhf';
  }
  return null;
}

function parseNative(value: unknown): PreferenceRecord {
  const parsed = NativePreferenceRecordSchema.safeParse(value);
  if (!parsed.success) throw new RecordError(firstIssue(parsed.error));
  const r = parsed.data;
  const preferred = (value as { preferred?: unknown }).preferred;
  if (
    preferred !== undefined &&
    (!Number.isInteger(preferred) || (preferred as number) < 0 || (preferred as number) >= r.responses.length)
  ) {
    throw new RecordError(`preferred: must be the index of one of the ${r.responses.length} responses`);
  }
  return {
    messages: r.messages ?? [{ role: 'user', content: r.prompt! }],
    responses: r.responses.map((x) => ({ model: x.model, text: x.text })),
    language: r.meta.language ?? null,
    domain: r.meta.domain ?? null,
    meta: r.meta,
    preferredIndex: preferred as number | undefined,
  };
}

const TURN = /\n\n(Human|Assistant):[ ]?/g;

/** Splits an HH-RLHF transcript ("\n\nHuman: …\n\nAssistant: …") into messages. */
export function parseTranscript(transcript: string): ChatMessage[] {
  const text = transcript.startsWith('\n\n') ? transcript : `\n\n${transcript.replace(/^\s+/, '')}`;
  const marks = [...text.matchAll(TURN)];
  if (marks.length === 0) throw new RecordError('no "Human:" or "Assistant:" turns found in the transcript');
  if (marks[0]!.index !== 0) throw new RecordError('the transcript must start with a "Human:" turn');
  return marks.map((mark, i) => ({
    role: mark[1] === 'Human' ? ('user' as const) : ('assistant' as const),
    content: text.slice(mark.index! + mark[0].length, marks[i + 1]?.index ?? text.length).trim(),
  }));
}

function sameTurns(a: ChatMessage[], b: ChatMessage[]): boolean {
  return a.length === b.length && a.every((m, i) => m.role === b[i]!.role && m.content === b[i]!.content);
}

/** Shared conversation + the two final assistant turns of a chosen/rejected pair of conversations. */
function splitConversations(chosen: ChatMessage[], rejected: ChatMessage[]): PreferenceRecord {
  const lastChosen = chosen[chosen.length - 1];
  const lastRejected = rejected[rejected.length - 1];
  if (lastChosen?.role !== 'assistant' || lastRejected?.role !== 'assistant') {
    throw new RecordError('chosen and rejected must each end with an assistant turn');
  }
  const context = chosen.slice(0, -1);
  if (!sameTurns(context, rejected.slice(0, -1))) {
    throw new RecordError('chosen and rejected differ before their final assistant turn');
  }
  if (context.length === 0 || context[context.length - 1]!.role !== 'user') {
    throw new RecordError('the conversation before the final assistant turn must end with a user turn');
  }
  if (!lastChosen.content.trim()) throw new RecordError('chosen: the final assistant turn is empty');
  if (!lastRejected.content.trim()) throw new RecordError('rejected: the final assistant turn is empty');
  return {
    messages: context,
    responses: [
      { model: '', text: lastChosen.content },
      { model: '', text: lastRejected.content },
    ],
    language: null,
    domain: null,
    meta: {},
    preferredIndex: 0,
  };
}

const HhSchema = z.object({
  chosen: z
    .string({ error: 'chosen must be a transcript string' })
    .max(400_000, 'chosen is longer than 400,000 characters'),
  rejected: z
    .string({ error: 'rejected must be a transcript string' })
    .max(400_000, 'rejected is longer than 400,000 characters'),
});

function parseHh(value: unknown): PreferenceRecord {
  const parsed = HhSchema.safeParse(value);
  if (!parsed.success) throw new RecordError(firstIssue(parsed.error));
  return splitConversations(parseTranscript(parsed.data.chosen), parseTranscript(parsed.data.rejected));
}

const TextOrMessages = z.union([z.string().max(200_000), z.array(ChatMessageSchema).min(1).max(200)]);
// other columns (TRL's optional "margin", ids, scores) are not part of the pair and are dropped
const TrlSchema = z.object({
  prompt: TextOrMessages.optional(),
  chosen: TextOrMessages,
  rejected: TextOrMessages,
});

function asAssistantTurns(value: string | ChatMessage[]): ChatMessage[] {
  return typeof value === 'string' ? [{ role: 'assistant', content: value }] : value;
}

function parseTrl(value: unknown): PreferenceRecord {
  const parsed = TrlSchema.safeParse(value);
  if (!parsed.success) throw new RecordError(firstIssue(parsed.error));
  const { prompt, chosen, rejected } = parsed.data;
  if (prompt === undefined) {
    // implicit prompt: both conversations carry the shared turns
    if (typeof chosen === 'string' || typeof rejected === 'string') {
      throw new RecordError('without "prompt", chosen and rejected must be message lists');
    }
    return splitConversations(chosen, rejected);
  }
  const context: ChatMessage[] = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
  return splitConversations(
    [...context, ...asAssistantTurns(chosen)],
    [...context, ...asAssistantTurns(rejected)],
  );
}

const OpenAiOutput = (field: string) =>
  z
    .array(
      ChatMessageSchema.extend({
        role: z.literal('assistant', { error: `${field} must hold an assistant message` }),
      }),
      { error: `${field} must be a list holding one assistant message` },
    )
    .length(1, `${field} must hold exactly one assistant message`);
const OpenAiSchema = z.object({
  input: z.object(
    {
      messages: z
        .array(ChatMessageSchema, { error: 'input.messages must be a list of messages' })
        .min(1)
        .max(200),
    },
    { error: 'input must be an object with "messages"' },
  ),
  preferred_output: OpenAiOutput('preferred_output'),
  non_preferred_output: OpenAiOutput('non_preferred_output'),
});

/** OpenAI preference fine-tuning: input.messages, then one preferred and one non-preferred answer. */
function parseOpenAi(value: unknown): PreferenceRecord {
  const parsed = OpenAiSchema.safeParse(value);
  if (!parsed.success) throw new RecordError(firstIssue(parsed.error));
  const { input, preferred_output: preferred, non_preferred_output: rejected } = parsed.data;
  return splitConversations([...input.messages, ...preferred], [...input.messages, ...rejected]);
}

const PARSERS: Record<ImportFormat, (value: unknown) => PreferenceRecord> = {
  arbiter: parseNative,
  'hh-rlhf': parseHh,
  trl: parseTrl,
  openai: parseOpenAi,
};

/** Parses one record of `format`, or throws RecordError saying which field is wrong. */
export function parseRecord(format: ImportFormat, value: unknown): PreferenceRecord {
  const record = PARSERS[format](value);
  // found here, the line is reported; found by the database, the whole import would fail with a driver error
  const unstorable = findUnstorableText({
    messages: record.messages,
    responses: record.responses,
    meta: record.meta,
  });
  if (unstorable) throw new RecordError(unstorable);
  // compared as the importer stores them: texts with the same content hash become one response
  const texts = new Set(record.responses.map((r) => contentHash(r.text)));
  if (texts.size < 2) throw new RecordError('needs at least two different responses to compare');
  return record;
}
