/** Creating and finding projects, with the rules their fields follow. */
import { z } from 'zod';
import type { Kysely, Transaction } from 'kysely';
import type { Database, Project } from '../db/schema';
import { PROJECT_TYPES } from '../db/schema';
import { findProjectBySlug, insertProject } from '../db/queries/projects';
import { recordActorEvent, type Actor } from './accounts';
import { UserInputError, describeZodIssue } from './errors';
import { findActiveModel } from '../db/queries/models';
import { readPretrainedLabels } from '../reward/pretrained-classifier';
import { sentimentSettings, SentimentSettingsSchema } from './sentiment-settings';
import {
  lexiconPredictor,
  prelabelItems,
  pretrainedColumns,
  rerouteStored,
  SENTIMENT_AXIS,
  type PredictorContext,
  type RerouteCounts,
} from './sentiment-prelabel';
import { enqueueReprelabel } from './sentiment-reprelabel';
import { mergeQualitySettings, QualitySettingsSchema } from './quality/settings';
import { mergeSafetySettings, SafetySettingsSchema } from './safety/settings';
import {
  ActiveLearningSettingsSchema,
  activeLearningSettings,
  mergeActiveLearning,
} from './active-learning/settings';
import { enqueueQueueRefresh } from './active-learning/refresh';

export const SlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'Use 1–63 lowercase letters, digits and dashes, starting with a letter or digit.',
  );

/** A sentiment project's labels: empty for the default, else 2–50 distinct names (case aside). */
export const LabelSetSchema = z
  .array(
    z.string().trim().min(1, 'A label cannot be empty.').max(64, 'A label can be at most 64 characters.'),
  )
  .max(50, 'At most 50 labels.')
  .refine((l) => l.length !== 1, 'Give at least two labels.')
  .refine((l) => new Set(l.map((x) => x.toLowerCase())).size === l.length, 'Each label must be different.');

export const NewProjectSchema = z.object({
  slug: SlugSchema,
  name: z.string().trim().min(1, 'Name is required.').max(120, 'Name is too long (120 characters at most).'),
  type: z.enum(PROJECT_TYPES, { error: 'Type must be "preference" or "sentiment".' }),
  description: z.string().trim().max(2000).default(''),
  redundancy: z.coerce.number().int().min(1, 'Redundancy must be at least 1.').max(50).default(3),
  labelSet: LabelSetSchema.default([]),
});

export async function createProject(
  db: Kysely<Database>,
  input: z.input<typeof NewProjectSchema>,
  actor: Actor,
): Promise<Project> {
  const parsed = NewProjectSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const data = parsed.data;
  return db.transaction().execute(async (trx) => {
    if (await findProjectBySlug(trx, data.slug)) {
      throw new UserInputError(`A project with slug "${data.slug}" already exists.`, 'slug', 'duplicate');
    }
    const project = await insertProject(trx, {
      slug: data.slug,
      name: data.name,
      type: data.type,
      description: data.description,
      redundancy: data.redundancy,
      label_set:
        data.type === 'sentiment' && data.labelSet.length === 0
          ? ['positive', 'negative', 'neutral']
          : data.labelSet,
      created_by: actor.userId ?? null,
    });
    await recordActorEvent(
      trx,
      'project.created',
      actor,
      { type: 'project', id: project.id },
      { slug: data.slug, type: data.type },
    );
    return project;
  });
}

/** The project with `slug`, or a UserInputError naming it. */
export async function requireProject(db: Kysely<Database>, slug: string): Promise<Project> {
  const project = await findProjectBySlug(db, slug.trim().toLowerCase());
  if (!project) throw new UserInputError(`No project with slug "${slug}".`, 'project', 'not-found');
  return project;
}

const yesNo = z
  .union([z.boolean(), z.enum(['yes', 'no', 'true', 'false', 'on', 'off'])], { error: 'Use yes or no.' })
  .transform((v) => v === true || v === 'yes' || v === 'true' || v === 'on');

/** What leads may change about a project. Every field is optional: only given fields change. */
export const ProjectSettingsSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Name is required.')
    .max(120, 'Name is too long (120 characters at most).')
    .optional(),
  description: z.string().trim().max(2000, 'Keep the description under 2,000 characters.').optional(),
  guidelines: z.string().max(50_000, 'Guidelines can be at most 50,000 characters.').optional(),
  /** the license dataset cards name for the project's exports (e.g. CC-BY-4.0) */
  license: z.string().trim().max(500, 'Keep the license under 500 characters.').optional(),
  redundancy: z.coerce
    .number({ error: 'Redundancy must be a whole number.' })
    .int('Redundancy must be a whole number.')
    .min(1, 'Redundancy must be at least 1.')
    .max(50, 'Redundancy can be at most 50.')
    .optional(),
  leaseMinutes: z.coerce
    .number({ error: 'Lease time must be a whole number of minutes.' })
    .int('Lease time must be a whole number of minutes.')
    .min(1, 'Leases last at least 1 minute.')
    .max(1440, 'Leases last at most 1,440 minutes (a day).')
    .optional(),
  rationaleRequired: yesNo.optional(),
  safetyOverrides: yesNo.optional(),
  safetyMargin: z.coerce
    .number()
    .int('The safety margin is 1, 2 or 3 points.')
    .min(1, 'The safety margin is 1, 2 or 3 points.')
    .max(3, 'The safety margin is 1, 2 or 3 points.')
    .optional(),
  // sentiment projects: the label set (while nothing depends on it) and routing (tasks/sentiment-settings.ts)
  labelSet: LabelSetSchema.optional(),
  ...SentimentSettingsSchema.shape,
  // preference projects: the active-learning policy (tasks/active-learning/settings.ts)
  ...ActiveLearningSettingsSchema.shape,
  // both kinds: gold, repeats, adjudication and consensus (tasks/quality/settings.ts)
  ...QualitySettingsSchema.shape,
  // preference projects: safety triage (tasks/safety/settings.ts)
  ...SafetySettingsSchema.shape,
});

export interface SettingsOutcome {
  /** what new routing settings did to items already pre-labeled (sentiment projects) */
  rerouted: RerouteCounts | null;
  /** a new cold-start model pre-labels the waiting items again in this job (no trained model yet) */
  prelabelJobId: string | null;
  /** new active-learning settings re-rank the pair queue in this job (null: none queued) */
  queueRefreshJobId: string | null;
}

/**
 * Checks a sentiment project's cold-start model before it is saved: present under the models
 * directory, and some of its classes map onto the project's labels. Throws UserInputError naming
 * the field.
 */
function checkColdStart(
  modelId: string,
  labelMap: Record<string, string>,
  labels: readonly string[],
  context: PredictorContext,
): void {
  if (!context.modelsDir)
    throw new UserInputError('No model directory is configured (ARBITER_MODELS_DIR).', 'coldStartModel');
  let modelLabels: string[];
  try {
    modelLabels = readPretrainedLabels({
      modelId,
      localModelPath: context.modelsDir,
      allowRemoteModels: false,
    });
  } catch (error) {
    throw new UserInputError(`${(error as Error).message}.`, 'coldStartModel');
  }
  try {
    pretrainedColumns(modelLabels, labels, labelMap);
  } catch (error) {
    throw new UserInputError(
      `The cold-start model ${modelId}: ${(error as Error).message}.`,
      Object.keys(labelMap).length ? 'coldStartLabelMap' : 'coldStartModel',
    );
  }
}

/** Applies the given settings in one transaction and records what changed. */
export async function updateProjectSettings(
  db: Kysely<Database>,
  projectId: string,
  input: z.input<typeof ProjectSettingsSchema>,
  actor: Actor,
  context: PredictorContext = {},
): Promise<SettingsOutcome> {
  const parsed = ProjectSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const d = parsed.data;
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('projects')
      .select(['settings', 'type', 'label_set'])
      .where('id', '=', projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new UserInputError('No such project.', 'project', 'not-found');
    const sentimentKeys = ['labelSet', ...Object.keys(SentimentSettingsSchema.shape)].filter(
      (k) => d[k as keyof typeof d] !== undefined,
    );
    const alKeys = Object.keys(
      ActiveLearningSettingsSchema.shape,
    ) as (keyof typeof ActiveLearningSettingsSchema.shape)[];
    const preferenceKeys = (
      [
        'rationaleRequired',
        'safetyOverrides',
        'safetyMargin',
        'repeatRate',
        ...alKeys,
        ...(Object.keys(SafetySettingsSchema.shape) as (keyof typeof SafetySettingsSchema.shape)[]),
      ] as const
    ).filter((k) => d[k] !== undefined);
    if (current.type !== 'sentiment' && sentimentKeys.length)
      throw new UserInputError(`${sentimentKeys[0]} applies to sentiment projects only.`, sentimentKeys[0]);
    if (current.type === 'sentiment' && preferenceKeys.length)
      throw new UserInputError(
        `${preferenceKeys[0]} applies to preference projects only.`,
        preferenceKeys[0],
      );
    const settings = { ...current.settings };
    if (d.license !== undefined) settings.license = d.license;
    if (d.rationaleRequired !== undefined) settings.rationaleRequired = d.rationaleRequired;
    if (d.safetyOverrides !== undefined) settings.safetyOverrides = d.safetyOverrides;
    if (d.safetyMargin !== undefined) settings.safetyMargin = d.safetyMargin;
    const sentiment = { ...((settings.sentiment as Record<string, unknown> | undefined) ?? {}) };
    for (const key of Object.keys(
      SentimentSettingsSchema.shape,
    ) as (keyof typeof SentimentSettingsSchema.shape)[]) {
      if (d[key] !== undefined) sentiment[key] = d[key];
    }
    if (Object.keys(sentiment).length) settings.sentiment = sentiment;
    if (Object.keys(QualitySettingsSchema.shape).some((k) => d[k as keyof typeof d] !== undefined))
      settings.quality = mergeQualitySettings(settings.quality, d);
    if (Object.keys(SafetySettingsSchema.shape).some((k) => d[k as keyof typeof d] !== undefined))
      settings.safety = mergeSafetySettings(settings.safety, d);
    const alInput = Object.fromEntries(alKeys.map((k) => [k, d[k]]));
    if (alKeys.some((k) => d[k] !== undefined))
      settings.activeLearning = mergeActiveLearning(settings.activeLearning, alInput);
    // the settings form sends every field: only a real change re-ranks the queue (a million pairs
    // take a minute to rewrite)
    const alChanged =
      JSON.stringify(activeLearningSettings(current.settings)) !==
      JSON.stringify(activeLearningSettings(settings));
    const labelSet = d.labelSet?.length ? d.labelSet : undefined;
    const relabel = labelSet !== undefined && labelSet.join('\u0000') !== current.label_set.join('\u0000');
    if (relabel && (await labelSetInUse(trx, projectId)))
      throw new UserInputError(
        'The labels cannot change once people have labelled items or a model was trained on them; create a new project for a new label set.',
        'labelSet',
      );
    await trx
      .updateTable('projects')
      .set({
        ...(d.name !== undefined ? { name: d.name } : {}),
        ...(d.description !== undefined ? { description: d.description } : {}),
        ...(d.guidelines !== undefined ? { guidelines: d.guidelines } : {}),
        ...(d.redundancy !== undefined ? { redundancy: d.redundancy } : {}),
        ...(d.leaseMinutes !== undefined ? { lease_seconds: d.leaseMinutes * 60 } : {}),
        ...(d.goldRate !== undefined ? { gold_rate: d.goldRate } : {}),
        ...(d.repeatRate !== undefined ? { repeat_rate: d.repeatRate } : {}),
        ...(relabel ? { label_set: labelSet } : {}),
        settings: JSON.stringify(settings),
        updated_at: new Date(),
      })
      .where('id', '=', projectId)
      .execute();
    const changed = Object.fromEntries(
      Object.entries(d).map(([k, v]) => [k, k === 'guidelines' ? `${String(v).length} characters` : v]),
    );
    await recordActorEvent(
      trx,
      'project.settings_changed',
      actor,
      { type: 'project', id: projectId },
      changed,
    );
    let rerouted: RerouteCounts | null = null;
    let prelabelJobId: string | null = null;
    if (current.type === 'sentiment') {
      const project = await trx
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', projectId)
        .executeTakeFirstOrThrow();
      const before = sentimentSettings(current.settings);
      const after = sentimentSettings(project.settings);
      const coldStartChanged =
        before.coldStartModel !== after.coldStartModel ||
        (after.coldStartModel !== null &&
          JSON.stringify(before.coldStartLabelMap) !== JSON.stringify(after.coldStartLabelMap));
      // checked when it changes (or the labels do), so a model that went missing later does not
      // block saving other settings; pre-labeling then says why it used the word list instead
      if (after.coldStartModel && (coldStartChanged || relabel))
        checkColdStart(after.coldStartModel, after.coldStartLabelMap, project.label_set, context);
      const trained = await findActiveModel(trx, { projectId, kind: 'sentiment', axis: SENTIMENT_AXIS });
      // a new label set or a new cold start (while no trained model decides) re-pre-labels the
      // waiting items: the word list at once, a pretrained model in a job (it may take minutes);
      // new routing settings apply to the stored pre-labels at once
      if (!trained && (relabel || coldStartChanged)) {
        if (after.coldStartModel)
          prelabelJobId = await enqueueReprelabel(trx, projectId, actor.userId ?? null);
        else await prelabelItems(trx, project, lexiconPredictor(project.label_set));
      } else if (d.autoAcceptThreshold !== undefined || d.auditRate !== undefined)
        rerouted = await rerouteStored(trx, project);
    }
    // the new policy re-ranks the queue with the model that is active now (no retraining)
    const queueRefreshJobId =
      current.type === 'preference' && alChanged
        ? await enqueueQueueRefresh(trx, projectId, { train: false, createdBy: actor.userId ?? null })
        : null;
    return { rerouted, prelabelJobId, queueRefreshJobId };
  });
}

/** Whether anything depends on a sentiment project's labels: labels from people, or a model. */
async function labelSetInUse(trx: Transaction<Database>, projectId: string): Promise<boolean> {
  const label = await trx
    .selectFrom('sentiment_labels')
    .select('id')
    .where('project_id', '=', projectId)
    .limit(1)
    .executeTakeFirst();
  const model = await trx
    .selectFrom('models')
    .select('id')
    .where('project_id', '=', projectId)
    .limit(1)
    .executeTakeFirst();
  return !!label || !!model;
}
