/** Creating and finding projects, with the rules their fields follow. */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, Project } from '../db/schema';
import { PROJECT_TYPES } from '../db/schema';
import { findProjectBySlug, insertProject } from '../db/queries/projects';
import { recordActorEvent, type Actor } from './accounts';
import { UserInputError, describeZodIssue } from './errors';

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
