/**
 * The project's quality report: agreement per axis with bootstrap intervals, every annotator's
 * profile and reliability, and the consensus method in use with the reason. Computed by a job
 * (tasks/quality/refresh.ts) and stored, so the leads' dashboard reads one row instead of
 * recomputing a million judgments per request.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import {
  listGoldAnswers,
  listItemLabelFacts,
  listPairJudgmentFacts,
  listPeople,
  listSkips,
} from '../../db/queries/quality';
import { createRng } from '../rng';
import { bootstrapFleiss, bootstrapKrippendorff, type Interval, type Level } from './agreement';
import { chooseConsensusMethod, type ConsensusMethod, type MethodScore } from './consensus-method';
import { dawidSkene, type LabelRow } from './dawid-skene';
import { pairGoldCorrect, pairGoldOf } from './gold';
import { annotatorProfiles, type AnnotatorProfile, type JudgmentRow } from './profile';
import { qualitySettings, type ConsensusSetting } from './settings';

export const QUALITY_REPORT_VERSION = 1;

/** Above this many units, 200 bootstrap resamples instead of 1,000: the interval barely moves, the job runs 5× faster. */
const LARGE = 50_000;

export interface AgreementFigures {
  axis: string;
  /** units with at least two answers */
  units: number;
  answers: number;
  fleissKappa: Interval;
  alpha: Partial<Record<Level, Interval>>;
}

export interface AnnotatorReport extends AnnotatorProfile {
  name: string;
  email: string;
  /** Dawid-Skene: the probability that their answer is the true class (null with too little data) */
  reliability: number | null;
}

export interface QualityReport {
  version: number;
  computedAt: string;
  projectType: 'preference' | 'sentiment';
  answers: number;
  agreement: AgreementFigures[];
  consensus: {
    /** the project's setting */
    setting: ConsensusSetting;
    /** the method in use */
    method: ConsensusMethod;
    /** what validation on gold chose (the method in use when the setting is auto) */
    validated: ConsensusMethod;
    reason: string;
    scores: MethodScore[];
  };
  gold: { units: number; answers: number };
  goldThreshold: number;
  annotators: AnnotatorReport[];
}

const direction = (score: number) => (score < 0 ? 'a' : score > 0 ? 'b' : 'tie');

/** Per-unit value lists (coder identity is not needed for alpha and Fleiss), units with ≥ 2 values. */
function unitsOf<T>(rows: readonly T[], unitOf: (r: T) => string, valueOf: (r: T) => string | number) {
  const byUnit = new Map<string, (string | number)[]>();
  for (const row of rows) {
    const unit = unitOf(row);
    let list = byUnit.get(unit);
    if (!list) byUnit.set(unit, (list = []));
    list.push(valueOf(row));
  }
  return [...byUnit.values()].filter((values) => values.length >= 2);
}

function agreementOf(
  axis: string,
  units: (string | number)[][],
  levels: Level[],
  rngSeed: number,
  order?: readonly (string | number)[],
): AgreementFigures {
  const resamples = units.length > LARGE ? 200 : 1000;
  const alpha: Partial<Record<Level, Interval>> = {};
  for (const level of levels)
    alpha[level] = bootstrapKrippendorff(units, level, {
      rng: createRng(rngSeed),
      resamples,
      ...(level === 'ordinal' && order ? { order } : {}),
    });
  return {
    axis,
    units: units.length,
    answers: units.reduce((n, u) => n + u.length, 0),
    fleissKappa: bootstrapFleiss(
      units.map((u) => u.map(String)),
      { rng: createRng(rngSeed), resamples },
    ),
    alpha,
  };
}

/** Builds the report from the database (reads only; the caller stores it). */
export async function buildQualityReport(
  db: Kysely<Database>,
  projectId: string,
  now = new Date(),
): Promise<QualityReport> {
  const project = await db
    .selectFrom('projects')
    .select(['type', 'settings', 'label_set'])
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  const settings = qualitySettings(project.settings);
  const goldRows = await listGoldAnswers(db, projectId);
  const skips = (await listSkips(db, projectId)).map((s) => ({ annotator: s.annotator_id, at: s.at }));
  let rows: JudgmentRow[];
  let labelRows: LabelRow[];
  let goldAnswers: Map<string, string>;
  let agreement: AgreementFigures[];
  let classes: string[];
  if (project.type === 'preference') {
    const facts = await listPairJudgmentFacts(db, projectId);
    const gold = new Map(
      goldRows.flatMap((g) => {
        const answer = g.pair_id ? pairGoldOf(g.expected, g.tolerance) : undefined;
        return answer ? [[g.pair_id!, answer] as const] : [];
      }),
    );
    // a repeat is consistent when it points the same way as the person's first judgment of the pair
    const first = new Map<string, string>();
    for (const f of facts)
      if (!f.is_repeat) first.set(`${f.annotator_id}|${f.pair_id}`, direction(f.helpfulness));
    rows = facts.map((f) => {
      const goldAnswer = f.is_gold ? gold.get(f.pair_id) : undefined;
      const original = f.is_repeat ? first.get(`${f.annotator_id}|${f.pair_id}`) : undefined;
      return {
        annotator: f.annotator_id,
        item: f.pair_id,
        answer: direction(f.helpfulness),
        score: f.helpfulness,
        leftIsA: f.left_is_a,
        lengthA: f.length_a,
        lengthB: f.length_b,
        flagged: f.flagged,
        timeMs: f.time_on_task_ms,
        at: f.created_at,
        isGold: f.is_gold,
        goldCorrect: goldAnswer ? pairGoldCorrect(goldAnswer, f) : null,
        isRepeat: f.is_repeat,
        repeatConsistent: original === undefined ? null : original === direction(f.helpfulness),
      };
    });
    const counted = facts.filter((f) => !f.is_repeat);
    labelRows = counted.map((f) => ({
      item: f.pair_id,
      annotator: f.annotator_id,
      label: direction(f.helpfulness),
    }));
    goldAnswers = new Map([...gold].map(([pairId, g]) => [pairId, direction(g.helpfulness)]));
    classes = ['a', 'b', 'tie'];
    agreement = (['helpfulness', 'safety'] as const).map((axis, i) => {
      const scores = unitsOf(
        counted,
        (f) => f.pair_id,
        (f) => f[axis],
      );
      const figures = agreementOf(axis, scores, ['ordinal', 'interval'], 11 + i, [-3, -2, -1, 0, 1, 2, 3]);
      // nominal agreement is on the direction (A, tie, B): what consensus and training use
      const directions = scores.map((u) => u.map((s) => direction(Number(s))));
      const nominal = agreementOf(axis, directions, ['nominal'], 21 + i);
      return {
        ...figures,
        fleissKappa: nominal.fleissKappa,
        alpha: { nominal: nominal.alpha.nominal, ...figures.alpha },
      };
    });
  } else {
    const facts = await listItemLabelFacts(db, projectId);
    const gold = new Map(
      goldRows.flatMap((g) => {
        const label = (g.expected as { label?: unknown }).label;
        return g.item_id && typeof label === 'string' ? [[g.item_id, label] as const] : [];
      }),
    );
    rows = facts.map((f) => ({
      annotator: f.annotator_id,
      item: f.item_id,
      answer: f.label,
      timeMs: f.time_on_task_ms,
      at: f.created_at,
      isGold: f.is_gold,
      goldCorrect: f.is_gold && gold.has(f.item_id) ? gold.get(f.item_id) === f.label : null,
    }));
    labelRows = facts.map((f) => ({ item: f.item_id, annotator: f.annotator_id, label: f.label }));
    goldAnswers = gold;
    classes = [...new Set([...project.label_set, ...facts.map((f) => f.label)])];
    agreement = [
      agreementOf(
        'label',
        unitsOf(
          facts,
          (f) => f.item_id,
          (f) => f.label,
        ),
        ['nominal'],
        31,
      ),
    ];
  }
  const choice = chooseConsensusMethod(labelRows, goldAnswers, { classes });
  const method = settings.consensusMethod === 'auto' ? choice.method : settings.consensusMethod;
  const reason =
    settings.consensusMethod === 'auto'
      ? choice.reason
      : `The project is set to ${method}. ${choice.reason.replace(/ is used\.$/, ' would be chosen by validation.')}`;
  const reliability = labelRows.length
    ? dawidSkene(labelRows, { classes }).reliability
    : new Map<string, number>();
  const profiles = annotatorProfiles(rows, skips, { goldThreshold: settings.goldThreshold });
  const people = new Map(
    (
      await listPeople(
        db,
        profiles.map((p) => p.annotator),
      )
    ).map((p) => [p.id, p]),
  );
  return {
    version: QUALITY_REPORT_VERSION,
    computedAt: now.toISOString(),
    projectType: project.type,
    answers: rows.length,
    agreement,
    consensus: {
      setting: settings.consensusMethod,
      method,
      validated: choice.method,
      reason,
      scores: choice.scores,
    },
    gold: { units: goldAnswers.size, answers: rows.filter((r) => r.isGold).length },
    goldThreshold: settings.goldThreshold,
    annotators: profiles.map((p) => ({
      ...p,
      name: people.get(p.annotator)?.display_name ?? 'Unknown',
      email: people.get(p.annotator)?.email ?? '',
      reliability: reliability.get(p.annotator) ?? null,
    })),
  };
}
