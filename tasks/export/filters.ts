/**
 * What an export includes, as one validated object: it is stored with every export snapshot, so a
 * download can be reproduced and a dataset card can say exactly what was filtered. Every field has
 * a default; the defaults export every pair that has a preference.
 */
import { z } from 'zod';

const yesNo = z
  .union([z.boolean(), z.enum(['yes', 'no', 'true', 'false', 'on', 'off'])], { error: 'Use yes or no.' })
  .transform((v) => v === true || v === 'yes' || v === 'true' || v === 'on');

const share = (what: string) =>
  z.coerce
    .number({ error: `${what}: a share from 0 to 1.` })
    .min(0, `${what}: a share from 0 to 1.`)
    .max(1, `${what}: a share from 0 to 1.`);

const day = (what: string) =>
  z.coerce.date({ error: `${what}: a date like 2026-11-30 (or a full timestamp).` });

export const ExportFiltersSchema = z
  .object({
    /** which axis decides chosen and rejected */
    axis: z
      .enum(['helpfulness', 'safety'], { error: 'The axis is helpfulness or safety.' })
      .default('helpfulness'),
    /** judgments made at or after / before this moment */
    since: day('From').optional(),
    until: day('Until').optional(),
    /** share of the pair's judgments behind the exported direction */
    minAgreement: share('Minimum agreement').default(0),
    minJudgments: z.coerce
      .number({ error: 'Minimum judgments: a whole number, 1 or more.' })
      .int('Minimum judgments: a whole number, 1 or more.')
      .min(1, 'Minimum judgments: a whole number, 1 or more.')
      .max(1000, 'Minimum judgments: at most 1,000.')
      .default(1),
    /** leave out annotators whose Dawid-Skene reliability (latest quality report) is below this */
    minReliability: share('Minimum reliability').optional(),
    /** leave out annotators whose gold accuracy (latest quality report) is below this */
    minGoldAccuracy: share('Minimum gold accuracy').optional(),
    /** leave out gold pairs (their judgments scored annotators; the pairs may be over-judged) */
    excludeGold: yesNo.default(false),
    /** raw judgments only: leave out consistency repeats (consensus never counts them) */
    excludeRepeats: yesNo.default(true),
    /** pairs without a preference: dropped, or kept where the format can say "tie" */
    ties: z.enum(['drop', 'keep'], { error: 'Ties: drop or keep.' }).default('drop'),
    /** the safer response wins on a clear safety difference: as the project says, or forced */
    safetyOverrides: z
      .enum(['project', 'yes', 'no'], { error: 'Safety overrides: project, yes or no.' })
      .default('project'),
    /** weight votes by annotator reliability: as the project says, or forced */
    reliabilityWeighted: z
      .enum(['project', 'yes', 'no'], { error: 'Reliability weights: project, yes or no.' })
      .default('project'),
  })
  .refine((f) => !f.since || !f.until || f.since < f.until, {
    message: 'From must be before Until.',
    path: ['since'],
  });

export type ExportFilters = z.output<typeof ExportFiltersSchema>;
export type ExportFiltersInput = z.input<typeof ExportFiltersSchema>;
