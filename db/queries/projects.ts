import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NewProject, Project } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface ProjectSummary {
  id: string;
  slug: string;
  name: string;
  type: 'preference' | 'sentiment';
  description: string;
  members_only: boolean;
  redundancy: number;
  created_at: Date;
  /** pairs for preference projects, items for sentiment projects */
  units: number;
  /** units that have reached the project's redundancy */
  completed: number;
  judgments: number;
}

export async function insertProject(db: Db, project: NewProject): Promise<Project> {
  return db.insertInto('projects').values(project).returningAll().executeTakeFirstOrThrow();
}

export async function findProjectById(db: Db, id: string): Promise<Project | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findProjectBySlug(db: Db, slug: string): Promise<Project | undefined> {
  return db.selectFrom('projects').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/**
 * Projects a user may see with their progress counts. `onlyOpenTo` narrows to the projects open
 * to that annotator: not archived, and either open to all or listing them as a member.
 */
export async function listProjectSummaries(
  db: Db,
  options: { onlyOpenTo?: string } = {},
): Promise<ProjectSummary[]> {
  let query = db
    .selectFrom('projects as p')
    .select([
      'p.id',
      'p.slug',
      'p.name',
      'p.type',
      'p.description',
      'p.members_only',
      'p.redundancy',
      'p.created_at',
      sql<number>`case when p.type = 'preference'
        then (select count(*) from pairs where pairs.project_id = p.id)
        else (select count(*) from sentiment_items si where si.project_id = p.id) end`.as('units'),
      sql<number>`case when p.type = 'preference'
        then (select count(*) from pairs where pairs.project_id = p.id and pairs.judgment_count >= coalesce(pairs.target_judgments, p.redundancy))
        else (select count(*) from sentiment_items si where si.project_id = p.id and si.status = 'closed') end`.as(
        'completed',
      ),
      sql<number>`case when p.type = 'preference'
        then (select count(*) from judgments j where j.project_id = p.id)
        else (select count(*) from sentiment_labels sl where sl.project_id = p.id and sl.source in ('human', 'audit')) end`.as(
        'judgments',
      ),
    ])
    .where('p.archived_at', 'is', null)
    .orderBy('p.name');
  if (options.onlyOpenTo) {
    const userId = options.onlyOpenTo;
    query = query.where((eb) =>
      eb.or([
        eb('p.members_only', '=', false),
        eb.exists(
          eb
            .selectFrom('project_members as m')
            .select('m.user_id')
            .whereRef('m.project_id', '=', 'p.id')
            .where('m.user_id', '=', userId),
        ),
      ]),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    ...row,
    units: Number(row.units),
    completed: Number(row.completed),
    judgments: Number(row.judgments),
  }));
}

/** Id, slug and name of the projects of one type that are not archived, by name (for pickers). */
export async function listProjectNames(
  db: Db,
  type: Project['type'],
): Promise<{ id: string; slug: string; name: string }[]> {
  return db
    .selectFrom('projects')
    .select(['id', 'slug', 'name'])
    .where('type', '=', type)
    .where('archived_at', 'is', null)
    .orderBy('name')
    .execute();
}

export async function countProjects(db: Db): Promise<number> {
  const row = await db
    .selectFrom('projects')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many judgments (preference) or human labels (sentiment) a user has given, per project id. */
export async function countContributionsByProject(db: Db, userId: string): Promise<Record<string, number>> {
  const judgments = await db
    .selectFrom('judgments')
    .select(['project_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('annotator_id', '=', userId)
    .groupBy('project_id')
    .execute();
  const labels = await db
    .selectFrom('sentiment_labels')
    .select(['project_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('annotator_id', '=', userId)
    .groupBy('project_id')
    .execute();
  const out: Record<string, number> = {};
  for (const row of [...judgments, ...labels])
    out[row.project_id] = (out[row.project_id] ?? 0) + Number(row.n);
  return out;
}
