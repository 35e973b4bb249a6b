/** The API's pair endpoints: one pair's consensus, and scoring pairs with the active reward model. */
import { z } from 'zod';
import { loadPairHistory } from '../../tasks/pair-history';
import { findAdjudication } from '../../tasks/quality/adjudication';
import { adjudicatedAxis, pairPreference, ruleFromSettings, type AxisConsensus } from '../../tasks/consensus';
import { findActiveModel } from '../../db/queries/models';
import { scorePairAdHoc } from '../../tasks/reward-scoring';
import { UserInputError, describeZodIssue } from '../../tasks/errors';
import type { Project } from '../../db/schema';
import { getAppContext } from './context.server';

const axisJson = (a: AxisConsensus) => ({
  score: a.mean,
  direction: a.direction,
  agreement: a.agreement,
  level: a.level,
  judgments: a.n,
});

/** A pair's consensus (an adjudication, when there is one, decides), or null when there is no such pair. */
export async function pairConsensusFor(pairId: string) {
  const db = getAppContext().db;
  const history = await loadPairHistory(db, pairId);
  if (!history) return null;
  const project = await db
    .selectFrom('projects')
    .select(['id', 'settings'])
    .where('slug', '=', history.project.slug)
    .executeTakeFirstOrThrow();
  const decision = await findAdjudication(db, { pairId });
  let body: Record<string, unknown> = {
    pair_id: pairId,
    project: history.project.slug,
    judgments: 0,
    consensus: null,
  };
  if (history.consensus) {
    const counted = history.judgments.filter(
      (j) => !('isRepeat' in j) || !(j as { isRepeat?: boolean }).isRepeat,
    );
    const helpfulness = decision
      ? adjudicatedAxis(
          counted.map((j) => j.helpfulness),
          decision.helpfulness!,
        )
      : history.consensus.helpfulness;
    const safety = decision
      ? adjudicatedAxis(
          counted.map((j) => j.safety),
          decision.safety!,
        )
      : history.consensus.safety;
    const preference = pairPreference(helpfulness, safety, ruleFromSettings(project.settings));
    body = {
      pair_id: pairId,
      project: history.project.slug,
      judgments: helpfulness.n,
      helpfulness: axisJson(helpfulness),
      safety: axisJson(safety),
      preferred: preference.preferred,
      basis: preference.basis,
      adjudicated: decision !== undefined,
    };
  }
  return { projectId: project.id, body };
}

const ScoreRequestSchema = z.object({
  axis: z.enum(['helpfulness', 'safety'], { error: 'axis: helpfulness or safety.' }).default('helpfulness'),
  pairs: z
    .array(
      z.object({
        prompt: z.string().max(200_000, 'prompt: longer than 200,000 characters.'),
        a: z.string().min(1, 'a: empty.').max(200_000, 'a: longer than 200,000 characters.'),
        b: z.string().min(1, 'b: empty.').max(200_000, 'b: longer than 200,000 characters.'),
      }),
      { error: 'pairs: a list of {prompt, a, b}.' },
    )
    .min(1, 'pairs: send at least one pair.')
    .max(100, 'pairs: at most 100 per request.'),
});

/** Scores up to 100 pairs with the project's active reward model on the axis. */
export async function scorePairs(project: Project, input: unknown) {
  const parsed = ScoreRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const { field, message } = describeZodIssue(issue);
    throw new UserInputError(issue.path.length > 1 ? `${issue.path.join('.')}: ${message}` : message, field);
  }
  const db = getAppContext().db;
  const model = await findActiveModel(db, { projectId: project.id, kind: 'reward', axis: parsed.data.axis });
  if (!model)
    throw new UserInputError(
      `No active ${parsed.data.axis} reward model in ${project.slug}; train one first.`,
      'axis',
      'not-found',
    );
  const scores = [];
  for (const pair of parsed.data.pairs) {
    const s = await scorePairAdHoc(db, model.id, pair);
    scores.push({
      reward_a: s.rewardA,
      reward_b: s.rewardB,
      probability_a: s.probabilityA,
      uncertainty: s.uncertainty,
      spread: s.spread,
    });
  }
  return { model: { id: model.id, version: model.version, axis: parsed.data.axis }, scores };
}
