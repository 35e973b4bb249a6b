import { describe, expect, it } from 'vitest';
import { describeDb } from '../../tests/setup/db';
import { makeCalibrationProject, type CalibrationProject } from '../../tests/setup/calibration-fixtures';
import { makeUser } from '../../tests/setup/factories';
import { setReliabilityWeights } from '../../tests/setup/reliability-fixtures';
import { trainingPairsFromJudgments } from '../reward-training';
import { refreshQualityReport } from './refresh';
import {
  MAX_RELIABILITY_WEIGHT,
  reliabilityWeight,
  reliabilityWeighting,
  reliabilityWeights,
  weightingSnapshot,
  weightOf,
  weightsFromReliability,
} from './weights';

describe('reliabilityWeight', () => {
  it('is the log-odds of a K-class vote: 0 at chance, ln((K−1)·r/(1−r)) above it', () => {
    expect(reliabilityWeight(1 / 3, 3)).toBeCloseTo(0, 12);
    expect(reliabilityWeight(0.5, 2)).toBe(0);
    expect(reliabilityWeight(0.9, 3)).toBeCloseTo(Math.log(18), 12);
    expect(reliabilityWeight(0.9, 2)).toBeCloseTo(Math.log(9), 12);
    expect(reliabilityWeight(0.5, 5)).toBeCloseTo(Math.log(4), 12);
  });

  it('floors below chance at 0, clips r to [0.01, 0.99], and refuses fewer than two classes', () => {
    expect(reliabilityWeight(0.1, 3)).toBe(0);
    expect(reliabilityWeight(0, 3)).toBe(0);
    expect(reliabilityWeight(1, 3)).toBeCloseTo(Math.log(2 * 99), 12);
    expect(reliabilityWeight(1.5, 2)).toBeCloseTo(Math.log(99), 12);
    expect(reliabilityWeight(Number.NaN, 3)).toBe(0);
    expect(() => reliabilityWeight(0.8, 1)).toThrow(/at least 2 classes/);
  });
});

describe('weightsFromReliability', () => {
  it('scales so the median annotator weighs 1, keeps the order, and clamps to [0, 3]', () => {
    const weights = weightsFromReliability(
      [
        { annotator: 'chance', reliability: 1 / 3 },
        { annotator: 'fair', reliability: 0.7 },
        { annotator: 'typical', reliability: 0.8 },
        { annotator: 'good', reliability: 0.9 },
        { annotator: 'perfect', reliability: 1 },
      ],
      3,
    );
    expect(weights.get('typical')).toBeCloseTo(1, 12);
    expect(weights.get('chance')).toBeCloseTo(0, 12);
    expect(weights.get('fair')).toBeCloseTo(Math.log(2 * (0.7 / 0.3)) / Math.log(8), 12);
    expect(weights.get('good')).toBeCloseTo(Math.log(18) / Math.log(8), 12);
    expect(weights.get('perfect')).toBeCloseTo(Math.log(198) / Math.log(8), 12);
    const two = weightsFromReliability(
      [
        { annotator: 'weak', reliability: 0.55 },
        { annotator: 'strong', reliability: 0.99 },
      ],
      2,
    );
    // the median of two is their mean, so (neither clamped) their weights sum to 2
    expect(two.get('weak')! + two.get('strong')!).toBeCloseTo(2, 12);
    const clamped = weightsFromReliability(
      [
        { annotator: 'a', reliability: 0.6 },
        { annotator: 'b', reliability: 0.6 },
        { annotator: 'c', reliability: 0.99 },
      ],
      2,
    );
    expect(clamped.get('a')).toBeCloseTo(1, 12);
    expect(clamped.get('c')).toBe(MAX_RELIABILITY_WEIGHT);
  });

  it('gives 1 to annotators without a reliability, and to everyone when the median is at chance', () => {
    const weights = weightsFromReliability(
      [
        { annotator: 'new', reliability: null },
        { annotator: 'x', reliability: 0.8 },
        { annotator: 'y', reliability: 0.6 },
        { annotator: 'z', reliability: 0.7 },
      ],
      3,
    );
    expect(weights.get('new')).toBe(1);
    // the median is over the three with a reliability
    expect(weights.get('z')).toBeCloseTo(1, 12);
    const hopeless = weightsFromReliability(
      [
        { annotator: 'p', reliability: 0.3 },
        { annotator: 'q', reliability: 0.2 },
        { annotator: 'r', reliability: 0.9 },
      ],
      3,
    );
    expect([...hopeless.values()]).toEqual([1, 1, 1]);
    expect(weightsFromReliability([], 3).size).toBe(0);
  });

  it('weightOf: 1 for anyone the map does not list', () => {
    const weights = new Map([['a', 0.25]]);
    expect(weightOf(weights, 'a')).toBe(0.25);
    expect(weightOf(weights, 'b')).toBe(1);
    expect(weightOf(weights, null)).toBe(1);
  });
});

describeDb('reliability weights of a project', ({ db }) => {
  let team: CalibrationProject;

  it('are empty while the setting is off, or on without a quality report', async () => {
    team = await makeCalibrationProject(db());
    expect((await reliabilityWeights(db(), team.projectId)).size).toBe(0);
    await setReliabilityWeights(db(), team.projectId, true);
    const noReport = await reliabilityWeighting(db(), team.projectId);
    expect(noReport).toMatchObject({ enabled: true, report: null });
    expect(noReport.weights.size).toBe(0);
    expect(weightingSnapshot(noReport)).toEqual({ reliabilityWeighted: false, reliabilityReport: null });
    await setReliabilityWeights(db(), team.projectId, false);
    await refreshQualityReport(db(), team.projectId);
    expect((await reliabilityWeights(db(), team.projectId)).size).toBe(0);
  });

  it('weigh the annotator who always picks the left reply far below the fair ones when on', async () => {
    await setReliabilityWeights(db(), team.projectId, true);
    const { reportId } = await refreshQualityReport(db(), team.projectId);
    const weighting = await reliabilityWeighting(db(), team.projectId);
    expect(weighting.report?.id).toBe(reportId);
    expect(weighting.weights.size).toBe(6);
    const lefty = weighting.weights.get(team.lefty.id)!;
    for (const fair of team.fair) {
      const w = weighting.weights.get(fair.id)!;
      expect(w).toBeGreaterThan(0.7);
      expect(w).toBeLessThan(1.5);
      expect(lefty).toBeLessThan(w / 2);
    }
    expect(lefty).toBeGreaterThanOrEqual(0);
    expect(weightingSnapshot(weighting)).toEqual({
      reliabilityWeighted: true,
      reliabilityReport: { id: reportId, computedAt: expect.any(String), annotators: 6 },
    });
    // someone who joined after the report weighs 1
    const { user } = await makeUser(db());
    expect(weightOf(weighting.weights, user.id)).toBe(1);
  });

  it('reach the training pairs: each judgment weighs its strength times its annotator’s weight', async () => {
    const weights = await reliabilityWeights(db(), team.projectId);
    const plain = await trainingPairsFromJudgments(db(), team.projectId, 'helpfulness');
    const weighted = await trainingPairsFromJudgments(db(), team.projectId, 'helpfulness', {}, weights);
    expect(weighted).toHaveLength(240);
    const judgments = await db()
      .selectFrom('judgments')
      .select(['annotator_id'])
      .where('project_id', '=', team.projectId)
      .where('is_repeat', '=', false)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    weighted.forEach((pair, i) => {
      expect(pair.weight).toBeCloseTo(plain[i]!.weight * weights.get(judgments[i]!.annotator_id)!, 12);
    });
    const total = (who: string) =>
      weighted.filter((_, i) => judgments[i]!.annotator_id === who).reduce((s, p) => s + p.weight, 0);
    for (const fair of team.fair) expect(total(team.lefty.id)).toBeLessThan(total(fair.id) / 2);
  });
});
