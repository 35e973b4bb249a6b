/** Creating and finding projects, with the rules their fields follow. */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, Project } from '../db/schema';
import { PROJECT_TYPES } from '../db/schema';
import { findProjectBySlug, insertProject } from '../db/queries/projects';
import { recordActorEvent, type Actor } from './accounts';
import { UserInputError, describeZodIssue } from './errors';
import { SentimentSettingsSchema } from './sentiment-settings';

export const SlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'Use 1–63 lowercase letters, digits and dashes, starting with a letter or digit.',
  );

export const NewProjectSchema = z.object({
  slug: SlugSchema,
  name: z.string().trim().min(1, 'Name is required.').max(120, 'Name is too long (120 characters at most).'),
  type: z.enum(PROJECT_TYPES, { error: 'Type must be "preference" or "sentiment".' }),
  description: z.string().trim().max(2000).default(''),
  redundancy: z.coerce.number().int().min(1, 'Redundancy must be at least 1.').max(50).default(3),
  labelSet: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
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
  // sentiment projects: routing and measurement (tasks/sentiment-settings.ts)
  ...SentimentSettingsSchema.shape,
});

/** Applies the given settings in one transaction and records what changed. */
export async function updateProjectSettings(
  db: Kysely<Database>,
  projectId: string,
  input: z.input<typeof ProjectSettingsSchema>,
  actor: Actor,
): Promise<void> {
  const parsed = ProjectSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const d = parsed.data;
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('projects')
      .select(['settings', 'type'])
      .where('id', '=', projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new UserInputError('No such project.', 'project', 'not-found');
    const sentimentKeys = Object.keys(SentimentSettingsSchema.shape).filter(
      (k) => d[k as keyof typeof d] !== undefined,
    );
    const preferenceKeys = (['rationaleRequired', 'safetyOverrides', 'safetyMargin'] as const).filter(
      (k) => d[k] !== undefined,
    );
    if (current.type !== 'sentiment' && sentimentKeys.length)
      throw new UserInputError(`${sentimentKeys[0]} applies to sentiment projects only.`, sentimentKeys[0]);
    if (current.type === 'sentiment' && preferenceKeys.length)
      throw new UserInputError(
        `${preferenceKeys[0]} applies to preference projects only.`,
        preferenceKeys[0],
      );
    const settings = { ...current.settings };
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
    await trx
      .updateTable('projects')
      .set({
        ...(d.name !== undefined ? { name: d.name } : {}),
        ...(d.description !== undefined ? { description: d.description } : {}),
        ...(d.guidelines !== undefined ? { guidelines: d.guidelines } : {}),
        ...(d.redundancy !== undefined ? { redundancy: d.redundancy } : {}),
        ...(d.leaseMinutes !== undefined ? { lease_seconds: d.leaseMinutes * 60 } : {}),
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
  });
}
