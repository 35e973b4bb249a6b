/**
 * Arbiter's native record shapes, validated at every boundary that reads them (demo data now,
 * the importer later).
 */
import { z } from 'zod';

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant'], { error: 'role must be "system", "user" or "assistant"' }),
  content: z
    .string()
    .min(1, 'message content is empty')
    .max(200_000, 'message content is longer than 200,000 characters'),
});

export const NativePreferenceRecordSchema = z
  .object({
    prompt: z.string().min(1).max(200_000).optional(),
    messages: z.array(ChatMessageSchema).min(1).max(200).optional(),
    responses: z
      .array(
        z.object({
          model: z.string().max(200).default(''),
          text: z
            .string()
            .min(1, 'response text is empty')
            .max(200_000, 'response is longer than 200,000 characters'),
        }),
        { error: 'must be a list of responses like [{"model": "m1", "text": "…"}, …]' },
      )
      .min(2, 'needs at least two responses to compare')
      .max(16, 'at most 16 responses per prompt'),
    meta: z
      .object({
        language: z.string().min(2).max(16).optional(),
        domain: z.string().min(1).max(32).optional(),
      })
      .catchall(z.unknown())
      .default({}),
  })
  .refine((r) => (r.prompt === undefined) !== (r.messages === undefined), {
    message: 'give either "prompt" or "messages", not both and not neither',
  })
  .refine((r) => !r.messages || r.messages[r.messages.length - 1]?.role === 'user', {
    message: 'the conversation in "messages" must end with a user turn',
    path: ['messages'],
  });
export type NativePreferenceRecord = z.output<typeof NativePreferenceRecordSchema>;

export const NativeSentimentRecordSchema = z.object({
  text: z.string().trim().min(1, 'text is empty').max(20_000, 'text is longer than 20,000 characters'),
  label: z.string().trim().min(1).max(64).optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type NativeSentimentRecord = z.output<typeof NativeSentimentRecordSchema>;
