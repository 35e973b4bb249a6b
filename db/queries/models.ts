/**
 * Trained models (reward now, sentiment later): versions per project, kind and axis, at most one
 * active (a partial unique index guarantees it), the artefact bytes kept with the row.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ModelsTable } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;
type ModelKind = ModelsTable['kind'];

export interface ModelRow {
  id: string;
  project_id: string | null;
  kind: ModelKind;
  axis: string | null;
  version: number;
  status: 'training' | 'ready' | 'failed';
  is_active: boolean;
  format_version: number;
  featurizer: Record<string, unknown>;
  metrics: Record<string, unknown>;
  snapshot: Record<string, unknown>;
  job_id: string | null;
  created_by: string | null;
  created_at: Date;
}

/** Every column but the artefact, which is megabytes and read only to score. */
const COLUMNS = [
  'id',
  'project_id',
  'kind',
  'axis',
  'version',
  'status',
  'is_active',
  'format_version',
  'featurizer',
  'metrics',
  'snapshot',
  'job_id',
  'created_by',
  'created_at',
] as const;

/**
 * Inserts version max+1 of (project, kind, axis). Takes the project's row lock first, so two
 * inserts for the same project wait for each other instead of racing for one version number.
 */
export async function insertNextModelVersion(
  trx: Transaction<Database>,
  model: {
    projectId: string;
    kind: ModelKind;
    axis: string;
    formatVersion: number;
    jobId: string | null;
    createdBy: string | null;
    snapshot?: Record<string, unknown>;
  },
): Promise<ModelRow> {
  await trx.selectFrom('projects').select('id').where('id', '=', model.projectId).forUpdate().execute();
  const latest = await trx
    .selectFrom('models')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('project_id', '=', model.projectId)
    .where('kind', '=', model.kind)
    .where('axis', '=', model.axis)
    .executeTakeFirst();
  return (await trx
    .insertInto('models')
    .values({
      project_id: model.projectId,
      kind: model.kind,
      axis: model.axis,
      version: Number(latest?.version ?? 0) + 1,
      format_version: model.formatVersion,
      job_id: model.jobId,
      created_by: model.createdBy,
      snapshot: JSON.stringify(model.snapshot ?? {}),
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()) as ModelRow;
}

export async function findModel(db: Db, id: string): Promise<ModelRow | undefined> {
  return (await db.selectFrom('models').select(COLUMNS).where('id', '=', id).executeTakeFirst()) as
    ModelRow | undefined;
}

export async function findModelByJob(db: Db, jobId: string): Promise<ModelRow | undefined> {
  return (await db.selectFrom('models').select(COLUMNS).where('job_id', '=', jobId).executeTakeFirst()) as
    ModelRow | undefined;
}

/** The row locked FOR UPDATE; for activation, which must see a settled status. */
export async function lockModel(trx: Transaction<Database>, id: string): Promise<ModelRow | undefined> {
  return (await trx
    .selectFrom('models')
    .select(COLUMNS)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()) as ModelRow | undefined;
}

/** The artefact bytes of a ready model, or undefined. */
export async function findModelArtefact(db: Db, id: string): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('models')
    .select('artefact')
    .where('id', '=', id)
    .where('status', '=', 'ready')
    .executeTakeFirst();
  return row?.artefact ?? undefined;
}

export async function findActiveModel(
  db: Db,
  options: { projectId: string; kind: ModelKind; axis: string },
): Promise<ModelRow | undefined> {
  return (await db
    .selectFrom('models')
    .select(COLUMNS)
    .where('project_id', '=', options.projectId)
    .where('kind', '=', options.kind)
    .where('axis', '=', options.axis)
    .where('is_active', '=', true)
    .executeTakeFirst()) as ModelRow | undefined;
}

export interface ModelListRow extends ModelRow {
  created_by_email: string | null;
  created_by_name: string | null;
  job_status: string | null;
  job_error: string | null;
  job_progress: Record<string, unknown> | null;
}

/** A project's models of one kind, newest first, with who started them and their job's state. */
export async function listModels(
  db: Db,
  options: { projectId: string; kind: ModelKind },
): Promise<ModelListRow[]> {
  return (await db
    .selectFrom('models as m')
    .leftJoin('users as u', 'u.id', 'm.created_by')
    .leftJoin('jobs as j', 'j.id', 'm.job_id')
    .select(COLUMNS.map((c) => `m.${c}` as const))
    .select([
      'u.email as created_by_email',
      'u.display_name as created_by_name',
      'j.status as job_status',
      'j.error as job_error',
      'j.progress as job_progress',
    ])
    .where('m.project_id', '=', options.projectId)
    .where('m.kind', '=', options.kind)
    .orderBy('m.created_at', 'desc')
    .orderBy('m.version', 'desc')
    .execute()) as ModelListRow[];
}

/** Back to 'training' (a retried job reusing its row); never touches a ready model. */
export async function setModelTraining(db: Db, id: string): Promise<void> {
  await db
    .updateTable('models')
    .set({ status: 'training' })
    .where('id', '=', id)
    .where('status', '!=', 'ready')
    .execute();
}

/** Marks a model failed unless it already finished; returns whether it changed. */
export async function setModelFailed(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('models')
    .set({ status: 'failed', is_active: false })
    .where('id', '=', id)
    .where('status', '!=', 'ready')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Stores a finished training run and marks the model ready. */
export async function setModelTrained(
  db: Db,
  id: string,
  trained: {
    artefact: Uint8Array;
    formatVersion: number;
    featurizer: Record<string, unknown>;
    metrics: Record<string, unknown>;
    snapshot: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .updateTable('models')
    .set({
      status: 'ready',
      artefact: trained.artefact,
      format_version: trained.formatVersion,
      featurizer: JSON.stringify(trained.featurizer),
      metrics: JSON.stringify(trained.metrics),
      snapshot: JSON.stringify(trained.snapshot),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Makes `model` the one active model of its (project, kind, axis): the versions of that group are
 * locked first (so two activations queue instead of colliding on the one-active index), the active
 * one is switched off, then this one on, all in the caller's transaction. Returns the id that was
 * active before (null when none, or when it was this one).
 */
export async function setActiveModel(
  trx: Transaction<Database>,
  model: { id: string; project_id: string; kind: ModelKind; axis: string | null },
): Promise<string | null> {
  const axis = model.axis ?? '';
  await trx
    .selectFrom('models')
    .select('id')
    .where('project_id', '=', model.project_id)
    .where('kind', '=', model.kind)
    .where(sql<string>`coalesce(axis, '')`, '=', axis)
    .forUpdate()
    .execute();
  const previous = await trx
    .updateTable('models')
    .set({ is_active: false })
    .where('project_id', '=', model.project_id)
    .where('kind', '=', model.kind)
    .where(sql<string>`coalesce(axis, '')`, '=', axis)
    .where('is_active', '=', true)
    .where('id', '!=', model.id)
    .returning('id')
    .executeTakeFirst();
  await trx.updateTable('models').set({ is_active: true }).where('id', '=', model.id).execute();
  return previous?.id ?? null;
}
