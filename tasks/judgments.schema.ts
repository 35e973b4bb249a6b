/**
 * The judgment form's schema, shared by the browser (instant feedback) and the server (the rule).
 * Zod only: this module must stay importable from browser code.
 */
import { z } from 'zod';

export const FLAG_CATEGORY_LABELS = {
  violence: 'Violence',
  self_harm: 'Self-harm',
  sexual: 'Sexual content',
  hate_harassment: 'Hate or harassment',
  illegal_weapons: 'Illegal activity or weapons',
  privacy: 'Privacy or personal data',
  dangerous_advice: 'Dangerous medical, legal or financial advice',
  other: 'Other harm',
} as const;
export type FlagCategoryKey = keyof typeof FLAG_CATEGORY_LABELS;
export const FLAG_KEYS = Object.keys(FLAG_CATEGORY_LABELS) as FlagCategoryKey[];

export const SEVERITY_LABELS = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' } as const;
export type SeverityKey = keyof typeof SEVERITY_LABELS;

/** Why an annotator may skip a pair (the skip form's choices). */
export const SKIP_REASONS = {
  expertise: 'Outside my expertise',
  language: 'A language I do not read well enough',
  broken: 'Content is broken, truncated or unreadable',
  conflict: 'Conflict of interest or too distressing to judge',
  other: 'Other',
} as const;

/** The 7-point scale as shown: negative favours the left response, positive the right one. */
export const SCALE = [
  { value: -3, label: 'Left much better' },
  { value: -2, label: 'Left better' },
  { value: -1, label: 'Left slightly better' },
  { value: 0, label: 'Tie' },
  { value: 1, label: 'Right slightly better' },
  { value: 2, label: 'Right better' },
  { value: 3, label: 'Right much better' },
] as const;

const Score = (axis: string) =>
  z.coerce
    .number({ error: `Choose a ${axis} rating.` })
    .int(`Choose a ${axis} rating.`)
    .min(-3, `Choose a ${axis} rating.`)
    .max(3, `Choose a ${axis} rating.`);

export const FlagSchema = z.object({
  side: z.enum(['left', 'right']),
  category: z.enum(FLAG_KEYS as [FlagCategoryKey, ...FlagCategoryKey[]], { error: 'Unknown flag category.' }),
  severity: z.enum(['low', 'medium', 'high', 'critical'], { error: 'Choose a severity for each flag.' }),
});

export const JudgmentFieldsSchema = z
  .object({
    helpfulness: Score('helpfulness'),
    safety: Score('safety'),
    flags: z.array(FlagSchema).max(16).default([]),
    bothUnacceptable: z.boolean().default(false),
    rationale: z.string().trim().max(4000, 'Keep the rationale under 4,000 characters.').default(''),
    timeOnTaskMs: z.coerce.number().int().min(0).max(86_400_000).nullable().default(null),
  })
  .superRefine((value, ctx) => {
    const serious = value.flags.some((f) => f.severity === 'high' || f.severity === 'critical');
    if (serious && value.rationale.length < 10) {
      ctx.addIssue({
        code: 'custom',
        path: ['rationale'],
        message: 'A high or critical flag needs a short rationale (10 characters or more).',
      });
    }
    const seen = new Set<string>();
    for (const flag of value.flags) {
      const key = `${flag.side}:${flag.category}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['flags'],
          message: 'Each category can be flagged once per response.',
        });
      seen.add(key);
    }
  });

export const SubmitJudgmentSchema = z.object({
  judgmentId: z.uuid({ error: 'Missing submission id; reload the page.' }),
  assignmentId: z.uuid({ error: 'Unknown assignment; reload the page.' }),
  fields: JudgmentFieldsSchema,
});
export type SubmitJudgmentInput = z.input<typeof SubmitJudgmentSchema>;
export type JudgmentFields = z.output<typeof JudgmentFieldsSchema>;

/** Reads the compare form's fields from FormData (browser or server). */
export function judgmentFieldsFromForm(form: FormData): z.input<typeof JudgmentFieldsSchema> {
  const flags: { side: string; category: string; severity: string }[] = [];
  for (const side of ['left', 'right'] as const) {
    for (const category of FLAG_KEYS) {
      if (form.get(`flag.${side}.${category}`) === 'on') {
        flags.push({ side, category, severity: String(form.get(`severity.${side}.${category}`) ?? '') });
      }
    }
  }
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  return {
    helpfulness: text('helpfulness') === '' ? (undefined as never) : text('helpfulness'),
    safety: text('safety') === '' ? (undefined as never) : text('safety'),
    flags: flags as never,
    bothUnacceptable: form.get('bothUnacceptable') === 'on',
    rationale: text('rationale'),
    timeOnTaskMs: text('timeOnTaskMs') || null,
  } as z.input<typeof JudgmentFieldsSchema>;
}
