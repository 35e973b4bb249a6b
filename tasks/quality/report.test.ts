import { expect, it } from 'vitest';
import { describeDb } from '../../tests/setup/db';
import { makeCalibrationProject } from '../../tests/setup/calibration-fixtures';
import { findLatestQualityReport } from '../../db/queries/quality';
import { findJob } from '../../db/queries/jobs';
import { startWorker } from '../jobs';
import {
  enqueueQualityRefresh,
  QUALITY_REFRESH_JOB,
  refreshQualityReport,
  runQualityRefreshJob,
} from './refresh';
import type { QualityReport } from './report';

describeDb('the quality report', ({ db }) => {
  it('flags the planted position bias, scores gold, and says which consensus method is used and why', async () => {
    const team = await makeCalibrationProject(db());
    await refreshQualityReport(db(), team.projectId);
    const stored = (await findLatestQualityReport(db(), team.projectId))!;
    const report = stored.report as unknown as QualityReport;
    expect(stored.judgments).toBe(240);
    expect(report.annotators).toHaveLength(6);
    const lefty = report.annotators.find((a) => a.annotator === team.lefty.id)!;
    expect(lefty.name).toBe('Lefty');
    expect(lefty.flags).toContain('position-bias');
    expect(lefty.position.leftRate).toBe(1);
    for (const fair of team.fair) {
      const profile = report.annotators.find((a) => a.annotator === fair.id)!;
      expect(profile.flags).not.toContain('position-bias');
      expect(profile.gold.n).toBe(10);
      expect(profile.gold.accuracy!).toBeGreaterThanOrEqual(0.6);
      expect(profile.agreement.rate!).toBeGreaterThan(lefty.agreement.rate!);
    }
    // 10 gold pairs: fewer than the 20 needed to validate, so majority vote, and the reason says so
    expect(report.consensus).toMatchObject({ setting: 'auto', method: 'majority' });
    expect(report.consensus.reason).toMatch(/10 gold items/);
    const helpfulness = report.agreement.find((a) => a.axis === 'helpfulness')!;
    expect(helpfulness.units).toBe(40);
    const alpha = helpfulness.alpha.nominal!;
    expect(alpha.low).toBeLessThanOrEqual(alpha.estimate);
    expect(alpha.high).toBeGreaterThanOrEqual(alpha.estimate);
    expect(alpha.estimate).toBeGreaterThan(0.1);
    expect(helpfulness.fleissKappa.estimate).toBeCloseTo(alpha.estimate, 1);
  });

  it('runs as a job, one per project at a time', async () => {
    const team = await makeCalibrationProject(db(), 9);
    const first = await enqueueQualityRefresh(db(), team.projectId, null);
    expect(first).not.toBeNull();
    expect(await enqueueQualityRefresh(db(), team.projectId, null)).toBeNull();
    const stop = startWorker(db(), {
      handlers: { [QUALITY_REFRESH_JOB]: runQualityRefreshJob },
      pollMs: 20,
      log: () => undefined,
    });
    try {
      for (let i = 0; i < 600; i++) {
        const job = await findJob(db(), first!);
        if (job?.status === 'succeeded') break;
        expect(job?.status).not.toBe('failed');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await stop();
    }
    expect(await findLatestQualityReport(db(), team.projectId)).toMatchObject({
      judgments: 240,
      annotators: 6,
    });
    expect(await enqueueQualityRefresh(db(), team.projectId, null)).not.toBeNull();
  });
});
