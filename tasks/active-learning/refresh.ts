/**
 * The active-learning loop of a preference project: after every N new judgments a job retrains the
 * reward model (activating it scores every pair into pair_scores), ranks the open pairs with the
 * project's policy, and writes the new order, targets and boosts to the pairs no one holds. The
 * annotators' queue keeps reading one index throughout; leased pairs keep their place.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema';
import {
  countJudgmentsSince,
  insertQueueRefreshJob,
  latestQueueRefresh,
  listPairCandidates,
  writeQueuePlacements,
  type PairCandidateRow,
  type QueuePlacement,
} from '../../db/queries/active-learning';
import { findPairTexts } from '../../db/queries/pair-scores';
import { findActiveModel } from '../../db/queries/models';
import { encodePairs } from '../../reward/dataset';
import { PermanentJobError, type JobHandler } from '../jobs';
import { promptText } from '../reward-files';
import { runRewardTrainingJob } from '../reward-training-job';
import { loadJudgedPairs } from '../reward-training';
import { MIN_DECIDED_JUDGMENTS } from '../reward-training.schema';
import { scorerCache } from '../reward-scoring';
import { emptyCandidates, type CandidateSet } from './candidates';
import { DEFAULT_EMBEDDING_DIMS, projectRows } from './diversity';
import { diversityPoolOf, finishRanking, prepareRanking, type Ranking } from './policies';
import {
  activeLearningSettings,
  loopEnabled,
  policySettingsOf,
  type ActiveLearningSettings,
} from './settings';

export const QUEUE_REFRESH_JOB = 'queue-refresh';

const RefreshPayload = z.object({
  projectId: z.uuid(),
  /** retrain first (false: rank with the model that is active now, e.g. after a policy change) */
  train: z.boolean().default(true),
});

export interface RefreshResult {
  policy: string;
  modelId: string | null;
  candidates: number;
  ranked: number;
  stopped: number;
  reasked: number;
  skippedLeased: number;
  /** pairs whose priority, target or boost changed and were written */
  written: number;
  seconds: number;
  /** where the time went: reading the candidates, ranking (embedding included), writing */
  timings: { load: number; rank: number; write: number };
}

/** The candidate columns of a project's open pairs (votes on the axis, the stored scores). */
export function pairCandidateSet(rows: readonly PairCandidateRow[]): CandidateSet {
  const set = emptyCandidates(
    rows.map((r) => r.id),
    2,
  );
  const scored = rows.some((r) => r.probability_a !== null);
  if (scored) {
    set.probabilities = new Float64Array(rows.length * 2);
    set.memberSpread = new Float64Array(rows.length);
  }
  rows.forEach((r, i) => {
    set.votes[i * 2] = r.votes_a;
    set.votes[i * 2 + 1] = r.votes_b;
    set.judgments[i] = r.judgment_count;
    if (set.probabilities) {
      // a pair imported after the last scoring has no score yet: it counts as a coin flip
      const p = r.probability_a ?? 0.5;
      set.probabilities[i * 2] = p;
      set.probabilities[i * 2 + 1] = 1 - p;
      set.memberSpread![i] = r.spread ?? 0;
    }
  });
  return set;
}

/**
 * Embeds the fresh pairs a diverse batch may draw on with the active model's featurizer:
 * φ(A) − φ(B), randomly projected. Only these few are read and featurized.
 */
async function embedBatchPool(
  db: Kysely<Database>,
  modelId: string,
  set: CandidateSet,
  pool: readonly number[],
): Promise<void> {
  if (pool.length < 2) return;
  const texts = new Map(
    (
      await findPairTexts(
        db,
        pool.map((i) => set.ids[i]!),
      )
    ).map((t) => [t.id, t]),
  );
  const vectors = await scorerCache(db).use(modelId, async ({ featurizer }) => {
    const encoded = encodePairs(
      featurizer,
      pool.map((i) => {
        const t = texts.get(set.ids[i]!)!;
        return { prompt: promptText(t.messages), a: t.a, b: t.b, target: 0.5, weight: 1 };
      }),
    );
    return projectRows(encoded.rows, { plus: encoded.pairs.a, minus: encoded.pairs.b });
  });
  const at = new Map(pool.map((unit, row) => [unit, row]));
  const dims = DEFAULT_EMBEDDING_DIMS;
  set.embeddingDims = dims;
  set.embedding = (units) => {
    const out = new Float32Array(units.length * dims);
    units.forEach((u, k) => {
      const row = at.get(u);
      if (row !== undefined) out.set(vectors.subarray(row * dims, row * dims + dims), k * dims);
    });
    return out;
  };
}

/**
 * Ranks a project's open pairs with its policy and writes the order. Pure ranking in between two
 * database steps; returns what changed and records it in queue_refreshes.
 */
export async function refreshQueue(
  db: Kysely<Database>,
  projectId: string,
  options: { jobId?: string | null; now?: Date } = {},
): Promise<RefreshResult> {
  const started = performance.now();
  const project = await db
    .selectFrom('projects')
    .select(['id', 'type', 'redundancy', 'settings'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (!project || project.type !== 'preference') throw new PermanentJobError('No such preference project.');
  const al = activeLearningSettings(project.settings);
  const settings = policySettingsOf(al);
  const rows = await listPairCandidates(db, projectId, al.axis);
  const loaded = performance.now();
  const set = pairCandidateSet(rows);
  const model = await findActiveModel(db, { projectId, kind: 'reward', axis: al.axis });
  const rankOptions = { redundancy: project.redundancy, batch: al.retrainEvery };
  // scored once; the few pairs a diverse batch draws on are embedded before it is arranged
  const prepared = prepareRanking(set, settings, rankOptions);
  if (model && set.probabilities && (settings.policy === 'diverse' || settings.policy === 'hybrid'))
    await embedBatchPool(db, model.id, set, diversityPoolOf(prepared, settings, rankOptions));
  const ranking = finishRanking(set, prepared, settings, rankOptions);
  const placements = changedPlacements(rows, placementsOf(set, ranking, project.redundancy, topOf(al)));
  const ranked = performance.now();
  const written = await writeQueuePlacements(db, placements);
  const stopped = rows.filter(
    (r, i) => ranking.targets[i]! <= r.judgment_count && r.judgment_count < project.redundancy,
  ).length;
  const result: RefreshResult = {
    policy: settings.policy,
    modelId: model?.id ?? null,
    candidates: rows.length,
    ranked: ranking.order.length,
    stopped,
    reasked: ranking.reask.reduce((a, b) => a + b, 0),
    skippedLeased: placements.length - written,
    written,
    seconds: (performance.now() - started) / 1000,
    timings: {
      load: (loaded - started) / 1000,
      rank: (ranked - loaded) / 1000,
      write: (performance.now() - ranked) / 1000,
    },
  };
  const judgments = await countJudgmentsSince(db, projectId, null, Number.MAX_SAFE_INTEGER);
  await db
    .insertInto('queue_refreshes')
    .values({
      project_id: projectId,
      job_id: options.jobId ?? null,
      model_id: result.modelId,
      policy: result.policy,
      settings: JSON.stringify(al),
      judgments,
      candidates: result.candidates,
      ranked: result.ranked,
      stopped: result.stopped,
      reasked: result.reasked,
      skipped_leased: result.skippedLeased,
      seconds: result.seconds,
      ...(options.now ? { created_at: options.now } : {}),
    })
    .execute();
  return result;
}

/**
 * How many pairs at the head of the order get their own priority: twenty refresh intervals' worth,
 * at least 10,000. Only `retrainEvery` judgments (plus leases) arrive before the next refresh, so
 * the rest of the order would not be reached; they keep priority 0, and a refresh writes only the
 * pairs whose placement changed instead of every open pair.
 */
export function topOf(settings: ActiveLearningSettings): number {
  return Math.max(10_000, 20 * settings.retrainEvery);
}

/** Priorities from the serving order (first = highest), targets and boosts as the queue reads them. */
export function placementsOf(
  set: CandidateSet,
  ranking: Ranking,
  redundancy: number,
  top = Infinity,
): QueuePlacement[] {
  const n = set.ids.length;
  const priority = new Float64Array(n);
  const total = Math.min(top, ranking.order.length);
  for (let position = 0; position < total; position++)
    priority[ranking.order[position]!] = (total - position) / total;
  return set.ids.map((id, i) => ({
    id,
    priority: priority[i]!,
    // the project's redundancy stays implicit (null), so changing it later still applies
    target: ranking.targets[i] === redundancy ? null : ranking.targets[i]!,
    boost: ranking.reask[i] ? set.judgments[i]! : 0,
  }));
}

/** The placements that differ from what the pairs hold now (rows and placements in the same order). */
export function changedPlacements(
  rows: readonly PairCandidateRow[],
  placements: readonly QueuePlacement[],
): QueuePlacement[] {
  return placements.filter((p, i) => {
    const r = rows[i]!;
    return (
      Math.abs(r.priority - p.priority) > 1e-12 ||
      r.target_judgments !== p.target ||
      r.queue_boost !== p.boost
    );
  });
}

/**
 * Called after each judgment: queues a refresh once `retrainEvery` judgments arrived since the
 * last one, unless one is already waiting or running. Cheap (two indexed reads) and never throws:
 * the judgment is already stored, and the next one tries again.
 */
export async function scheduleQueueRefresh(db: Kysely<Database>, projectId: string): Promise<string | null> {
  try {
    const project = await db
      .selectFrom('projects')
      .select(['settings', 'type'])
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!project || project.type !== 'preference') return null;
    const al = activeLearningSettings(project.settings);
    if (!loopEnabled(al)) return null;
    const last = await latestQueueRefresh(db, projectId);
    const fresh = await countJudgmentsSince(db, projectId, last?.created_at ?? null, al.retrainEvery);
    if (fresh < al.retrainEvery) return null;
    return await enqueueQueueRefresh(db, projectId, { train: true, createdBy: null });
  } catch {
    return null;
  }
}

/** Queues a refresh now (a policy change, or the lead's "Refresh now"); null when one is pending. */
export function enqueueQueueRefresh(
  db: Kysely<Database>,
  projectId: string,
  options: { train: boolean; createdBy: string | null },
): Promise<string | null> {
  return insertQueueRefreshJob(db, {
    kind: QUEUE_REFRESH_JOB,
    projectId,
    payload: { projectId, train: options.train },
    createdBy: options.createdBy,
  });
}

async function shouldTrain(
  db: Kysely<Database>,
  projectId: string,
  al: ActiveLearningSettings,
): Promise<boolean> {
  const judged = await loadJudgedPairs(db, projectId, al.axis, { languages: [], domains: [], since: null });
  return judged.filter((j) => j.pair.target !== 0.5).length >= MIN_DECIDED_JUDGMENTS;
}

/** The job: retrain and activate (when there is enough to learn from), then rank and write the queue. */
export const runQueueRefreshJob: JobHandler = async (job, context) => {
  const parsed = RefreshPayload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`Invalid refresh job: ${parsed.error.issues[0]!.message}`);
  const { projectId, train } = parsed.data;
  const { db } = context;
  const project = await db
    .selectFrom('projects')
    .select(['settings'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (!project) throw new PermanentJobError('The project no longer exists.');
  const al = activeLearningSettings(project.settings);
  let training: Record<string, unknown> | null = null;
  if (train && loopEnabled(al) && (await shouldTrain(db, projectId, al))) {
    try {
      training = await runRewardTrainingJob(
        {
          ...job,
          payload: {
            projectId,
            axis: al.axis,
            filter: { languages: [], domains: [], since: null },
            seed: 1,
            activate: true,
            actor: { userId: null, email: 'active learning', ip: null },
          },
        },
        context,
      );
    } catch (error) {
      // a training that cannot succeed (too few distinct pairs, say) must not stop the ranking:
      // without a refresh on record every later judgment would queue the same failing job
      if (!(error instanceof PermanentJobError)) throw error;
      training = { error: error.message };
    }
  }
  await context.progress({ stage: 'rank the queue', fraction: 0 });
  const result = await refreshQueue(db, projectId, { jobId: job.id });
  return { ...result, training };
};
