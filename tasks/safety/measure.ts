/**
 * How each safety model version did against the people: per version, the pre-flags (risk at or
 * above the threshold in force) against reviewers' latest decisions, as precision, recall at the
 * threshold and the review load it creates; and how often annotators kept its suggested flags.
 * "Live" counts only decisions made after the version was trained, which it cannot have learned
 * from; "all" includes the decisions it was trained on, so it is optimistic (shown for scale).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { SAFETY_AXIS } from './active';

export interface DecisionMatch {
  decided: number;
  harmful: number;
  /** pre-flagged and confirmed harmful */
  hits: number;
  preflagged: number;
  precision: number | null;
  /** share of confirmed-harmful responses the threshold would have sent to review */
  recall: number | null;
}

export interface SafetyModelMeasurement {
  modelId: string;
  version: number;
  isActive: boolean;
  createdAt: Date;
  threshold: number;
  scored: number;
  /** share of the responses this version scored that are at or above the threshold */
  reviewLoad: number | null;
  live: DecisionMatch;
  all: DecisionMatch;
  suggestions: { shown: number; accepted: number };
  /** the held-out metrics from training (reward/safety/run.ts), when something was held out */
  heldOut: {
    accuracy: number;
    auc: number | null;
    recall: number | null;
    reviewLoad: number;
    n: number;
  } | null;
  examples: number | null;
}

const match = (decided: number, harmful: number, hits: number, preflagged: number): DecisionMatch => ({
  decided,
  harmful,
  hits,
  preflagged,
  precision: preflagged ? hits / preflagged : null,
  recall: harmful ? hits / harmful : null,
});

export async function measureSafetyModels(
  db: Kysely<Database>,
  projectId: string,
): Promise<SafetyModelMeasurement[]> {
  const rows = await sql<{
    id: string;
    version: number;
    is_active: boolean;
    created_at: Date;
    metrics: Record<string, unknown>;
    threshold: number;
    scored: number;
    above: number;
    decided_all: number;
    harmful_all: number;
    hits_all: number;
    flagged_all: number;
    decided_live: number;
    harmful_live: number;
    hits_live: number;
    flagged_live: number;
    shown: number;
    accepted: number;
  }>`
    with decisions as (
      -- a response's latest settled decision: harmful when any category was confirmed
      select sr.response_id, bool_or(sr.decision = 'confirmed') as harmful, max(sr.created_at) as at
      from safety_reviews sr
      join (select response_id, max(created_at) as at from safety_reviews
            where decision <> 'escalated' group by response_id) l
        on l.response_id = sr.response_id and l.at = sr.created_at
      where sr.decision <> 'escalated'
      group by sr.response_id),
    versions as (
      select m.id, m.version, m.is_active, m.created_at, m.metrics,
             coalesce((pr.settings->'safety'->>'riskThreshold')::real, (m.metrics->>'threshold')::real, 0.5) as threshold
      from models m join projects pr on pr.id = m.project_id
      where m.project_id = ${projectId} and m.kind = 'safety' and m.axis = ${SAFETY_AXIS} and m.status = 'ready')
    select v.id, v.version, v.is_active, v.created_at, v.metrics, v.threshold,
           count(k.response_id)::int as scored,
           count(*) filter (where k.risk >= v.threshold)::int as above,
           count(d.response_id)::int as decided_all,
           count(*) filter (where d.harmful)::int as harmful_all,
           count(*) filter (where d.harmful and k.risk >= v.threshold)::int as hits_all,
           count(*) filter (where d.response_id is not null and k.risk >= v.threshold)::int as flagged_all,
           count(*) filter (where d.at > v.created_at)::int as decided_live,
           count(*) filter (where d.at > v.created_at and d.harmful)::int as harmful_live,
           count(*) filter (where d.at > v.created_at and d.harmful and k.risk >= v.threshold)::int as hits_live,
           count(*) filter (where d.at > v.created_at and k.risk >= v.threshold)::int as flagged_live,
           (select count(*)::int from flag_suggestions s where s.model_id = v.id) as shown,
           (select count(*)::int from flag_suggestions s where s.model_id = v.id and s.accepted) as accepted
    from versions v
    left join response_risks k on k.model_id = v.id
    left join decisions d on d.response_id = k.response_id
    group by v.id, v.version, v.is_active, v.created_at, v.metrics, v.threshold
    order by v.version desc`.execute(db);
  return rows.rows.map((r) => {
    const test = (r.metrics.test ?? null) as {
      accuracy: number;
      auc: number | null;
      recall_at_threshold: number | null;
      review_load: number;
      n: number;
    } | null;
    return {
      modelId: r.id,
      version: r.version,
      isActive: r.is_active,
      createdAt: new Date(r.created_at),
      threshold: Number(r.threshold),
      scored: r.scored,
      reviewLoad: r.scored ? r.above / r.scored : null,
      live: match(r.decided_live, r.harmful_live, r.hits_live, r.flagged_live),
      all: match(r.decided_all, r.harmful_all, r.hits_all, r.flagged_all),
      suggestions: { shown: r.shown, accepted: r.accepted },
      heldOut: test
        ? {
            accuracy: test.accuracy,
            auc: test.auc,
            recall: test.recall_at_threshold,
            reviewLoad: test.review_load,
            n: test.n,
          }
        : null,
      examples:
        typeof r.metrics.train_examples === 'number'
          ? r.metrics.train_examples + Number(r.metrics.test_examples ?? 0)
          : null,
    };
  });
}
