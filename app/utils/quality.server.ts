/** The quality screens' door to tasks/quality (adjudication, gold, the calibration report). */
import { findProjectBySlug } from '../../db/queries/projects';
import * as adjudication from '../../tasks/quality/adjudication';
import * as gold from '../../tasks/quality/gold';
import { loadPairHistory } from '../../tasks/pair-history';
import { findLatestJob } from '../../db/queries/jobs';
import { findLatestQualityReport } from '../../db/queries/quality';
import { enqueueQualityRefresh, QUALITY_REFRESH_JOB } from '../../tasks/quality/refresh';
import type { QualityReport } from '../../tasks/quality/report';
import { listDisagreements } from '../../tasks/quality/disagreements';
import { getAppContext } from './context.server';

const db = () => getAppContext().db;

/** The project picker's list: names only (the progress counts of listProjectSummaries cost 170 ms at 1M judgments). */
export const projects = () =>
  db()
    .selectFrom('projects')
    .select(['id', 'slug', 'name', 'type'])
    .where('archived_at', 'is', null)
    .orderBy('name')
    .execute();
export const projectBySlug = (slug: string) => findProjectBySlug(db(), slug);
export const threshold = (projectId: string) => adjudication.adjudicationThreshold(db(), projectId);
export const pairDisputes = (options: Parameters<typeof adjudication.listPairDisputes>[1]) =>
  adjudication.listPairDisputes(db(), options);
export const itemDisputes = (options: Parameters<typeof adjudication.listItemDisputes>[1]) =>
  adjudication.listItemDisputes(db(), options);
export const pairDispute = async (pairId: string) => {
  const history = await loadPairHistory(db(), pairId);
  if (!history) return null;
  return { history, decision: (await adjudication.findAdjudication(db(), { pairId })) ?? null };
};
export const itemDispute = (itemId: string) => adjudication.loadItemDispute(db(), itemId);
export const decidePair = (options: Parameters<typeof adjudication.adjudicatePair>[1]) =>
  adjudication.adjudicatePair(db(), options);
export const decideItem = (options: Parameters<typeof adjudication.adjudicateItem>[1]) =>
  adjudication.adjudicateItem(db(), options);
export const markPairGold = (options: Parameters<typeof gold.markPairGold>[1]) =>
  gold.markPairGold(db(), options);
export const unmarkGold = (options: Parameters<typeof gold.unmarkGold>[1]) => gold.unmarkGold(db(), options);
export const goldOfPair = (pairId: string) =>
  db()
    .selectFrom('gold_answers')
    .select(['expected', 'tolerance'])
    .where('pair_id', '=', pairId)
    .executeTakeFirst();

/** The latest stored quality report of a project, and the refresh job waiting or running, if any. */
export async function latestReport(projectId: string) {
  const [row, job] = await Promise.all([
    findLatestQualityReport(db(), projectId),
    findLatestJob(db(), { kind: QUALITY_REFRESH_JOB, projectId, statuses: ['queued', 'running'] }),
  ]);
  return {
    report: row ? (row.report as unknown as QualityReport) : null,
    computedAt: row?.created_at ?? null,
    seconds: row?.seconds ?? null,
    pending: job ? { id: job.id, status: job.status } : null,
  };
}
export const requestRefresh = (projectId: string, userId: string) =>
  enqueueQualityRefresh(db(), projectId, userId);
export const disagreements = (options: Parameters<typeof listDisagreements>[1]) =>
  listDisagreements(db(), options);
export const person = (id: string) =>
  db().selectFrom('users').select(['display_name', 'email']).where('id', '=', id).executeTakeFirst();
export const markItemGold = (options: Parameters<typeof gold.markItemGold>[1]) =>
  gold.markItemGold(db(), options);
export const projectById = (id: string) =>
  db().selectFrom('projects').select(['slug', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
