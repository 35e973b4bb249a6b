/**
 * The reward model screen's schemas, shared by the browser (instant feedback) and the server (the
 * rule). Zod only: this module must stay importable from browser code.
 */
import { z } from 'zod';
import type { RewardAxis } from '../db/schema';

export const REWARD_AXIS_LABELS = { helpfulness: 'Helpfulness', safety: 'Safety' } as const satisfies Record<
  RewardAxis,
  string
>;
const AXES = Object.keys(REWARD_AXIS_LABELS) as [RewardAxis, ...RewardAxis[]];

/** Fewer decided judgments than this and a model has nothing to learn from (or to be tested on). */
export const MIN_DECIDED_JUDGMENTS = 20;

const Code = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'Use short lowercase codes like "en" or "medical".');

/** Which judgments a model learns from. Empty lists mean "all". */
export const TrainingFilterSchema = z.object({
  languages: z.array(Code).max(20, 'Choose at most 20 languages.').default([]),
  domains: z.array(Code).max(20, 'Choose at most 20 domains.').default([]),
  /** a UTC day, YYYY-MM-DD: only judgments made on or after it */
  since: z.iso.date('Enter a date like 2026-11-01.').nullable().default(null),
});
export type TrainingFilter = z.output<typeof TrainingFilterSchema>;

export const SEED_MAX = 2 ** 31 - 1;

/** The "Train a new model" form. */
export const TrainModelSchema = z.object({
  axis: z.enum(AXES, { error: 'Choose helpfulness or safety.' }),
  filter: TrainingFilterSchema.default({ languages: [], domains: [], since: null }),
  seed: z.coerce
    .number({ error: 'The seed is a whole number.' })
    .int('The seed is a whole number.')
    .min(0, 'The seed is 0 or more.')
    .max(SEED_MAX, `The seed is at most ${SEED_MAX}.`)
    .default(1),
  activate: z.boolean().default(false),
});
export type TrainModelInput = z.input<typeof TrainModelSchema>;

/** Reads the training form from FormData (browser or server). */
export function trainModelInputFromForm(form: FormData): TrainModelInput {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const list = (name: string) =>
    form
      .getAll(name)
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => v.split(/[\s,]+/))
      .filter(Boolean);
  return {
    axis: text('axis') as RewardAxis,
    filter: { languages: list('languages'), domains: list('domains'), since: text('since') || null },
    seed: text('seed') === '' ? undefined : text('seed'),
    activate: form.get('activate') === 'on',
  };
}

const MAX_TEXT = 200_000;

/** The "Score a pair" box. */
export const ScorePairSchema = z.object({
  modelId: z.uuid('Choose a model version.'),
  prompt: z.string().max(MAX_TEXT, 'The prompt is longer than 200,000 characters.'),
  a: z
    .string()
    .trim()
    .min(1, 'Enter response A.')
    .max(MAX_TEXT, 'Response A is longer than 200,000 characters.'),
  b: z
    .string()
    .trim()
    .min(1, 'Enter response B.')
    .max(MAX_TEXT, 'Response B is longer than 200,000 characters.'),
});
export type ScorePairInput = z.input<typeof ScorePairSchema>;

/** Field name → first message, for showing next to each field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.filter((p) => typeof p !== 'number').join('.') || 'form';
    // the form's filter fields are flat (languages, domains, since)
    const field = key.startsWith('filter.') ? key.slice('filter.'.length) : key;
    out[field] ??= issue.message;
  }
  return out;
}

/** The steps of a training run in order, with their share of the progress bar. */
export const TRAINING_STAGES = [
  { stage: 'load', label: 'Reading the judgments', weight: 0.04 },
  { stage: 'featurize', label: 'Featurizing the texts', weight: 0.1 },
  { stage: 'choose L2 strength', label: 'Choosing the regularisation strength', weight: 0.3 },
  { stage: 'train members', label: 'Training the ensemble', weight: 0.28 },
  { stage: 'evaluate', label: 'Measuring on held-out pairs', weight: 0.03 },
  { stage: 'learning curve', label: 'Drawing the learning curve', weight: 0.15 },
  { stage: 'save', label: 'Saving the model', weight: 0.03 },
  { stage: 'score pairs', label: 'Scoring every pair with it', weight: 0.07 },
] as const;

export function stageLabel(stage: string): string {
  return TRAINING_STAGES.find((s) => s.stage === stage)?.label ?? stage;
}

/**
 * Share of the whole run done when `stage` is `fraction` done (0..1). Without activation the run
 * ends after saving, so the scoring step's share is spread over the others.
 */
export function overallProgress(stage: string, fraction: number, activate: boolean): number | null {
  const stages = activate ? TRAINING_STAGES : TRAINING_STAGES.filter((s) => s.stage !== 'score pairs');
  const index = stages.findIndex((s) => s.stage === stage);
  if (index < 0) return null;
  const total = stages.reduce((sum, s) => sum + s.weight, 0);
  const before = stages.slice(0, index).reduce((sum, s) => sum + s.weight, 0);
  const clamped = Math.min(1, Math.max(0, fraction));
  return (before + stages[index]!.weight * clamped) / total;
}
