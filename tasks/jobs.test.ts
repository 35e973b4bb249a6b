import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { describeDb } from '../tests/setup/db';
import { claimJob, findJob } from '../db/queries/jobs';
import { enqueueJob, PermanentJobError, startWorker, type JobHandler } from './jobs';

async function waitFor(db: Kysely<Database>, id: string, statuses: string[]) {
  for (let i = 0; i < 200; i++) {
    const job = await findJob(db, id);
    if (job && statuses.includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} never reached ${statuses.join('/')}`);
}

describeDb('background jobs', ({ db }) => {
  it('runs a job once, records progress and the result', async () => {
    let runs = 0;
    const handlers: Record<string, JobHandler> = {
      echo: async (job, { progress }) => {
        runs++;
        await progress({ step: 1 });
        return { echoed: job.payload.value };
      },
    };
    const stop = startWorker(db(), { handlers, pollMs: 20, name: 'w1', log: () => undefined });
    const stop2 = startWorker(db(), { handlers, pollMs: 20, name: 'w2', log: () => undefined });
    const id = await enqueueJob(db(), { kind: 'echo', payload: { value: 42 } });
    const job = await waitFor(db(), id, ['succeeded', 'failed']);
    await Promise.all([stop(), stop2()]);
    expect(job).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      result: { echoed: 42 },
      progress: { step: 1 },
    });
    expect(runs).toBe(1);
  });

  it('retries a failing job with backoff, then gives up; a permanent failure is not retried', async () => {
    const handlers: Record<string, JobHandler> = {
      flaky: async () => {
        throw new Error('disk full');
      },
      broken: async () => {
        throw new PermanentJobError('bad input', { errors: [{ line: 2, message: 'nope' }] });
      },
    };
    const flaky = await enqueueJob(db(), { kind: 'flaky', payload: {}, maxAttempts: 2 });
    const broken = await enqueueJob(db(), { kind: 'broken', payload: {} });
    const stop = startWorker(db(), { handlers, pollMs: 20, log: () => undefined });
    const permanent = await waitFor(db(), broken, ['failed']);
    expect(permanent).toMatchObject({
      attempts: 1,
      error: 'bad input',
      result: { errors: [{ line: 2, message: 'nope' }] },
    });
    const afterFirst = await waitFor(db(), flaky, ['queued', 'failed']);
    expect(afterFirst).toMatchObject({ status: 'queued', attempts: 1, error: 'disk full' });
    await db().updateTable('jobs').set({ run_after: new Date() }).where('id', '=', flaky).execute();
    const final = await waitFor(db(), flaky, ['failed']);
    await stop();
    expect(final).toMatchObject({ attempts: 2, error: 'disk full' });
  });

  it('reclaims a job whose worker died, and fails it once its attempts are used up', async () => {
    const id = await enqueueJob(db(), { kind: 'crashy', payload: {}, maxAttempts: 2 });
    // run_after is the database's now() in microseconds; a JS clock read in the same millisecond
    // can compare as earlier, so the test's clock starts clearly after the insert
    const now = new Date(Date.now() + 1000);
    const first = await claimJob(db(), { worker: 'dead-1', kinds: ['crashy'], leaseMs: 1000, now });
    expect(first?.id).toBe(id);
    expect(await claimJob(db(), { worker: 'other', kinds: ['crashy'], leaseMs: 1000, now })).toBeUndefined();
    const later = new Date(now.getTime() + 5000);
    const second = await claimJob(db(), { worker: 'dead-2', kinds: ['crashy'], leaseMs: 1000, now: later });
    expect(second).toMatchObject({ id, attempts: 2 });
    const muchLater = new Date(now.getTime() + 10_000);
    expect(
      await claimJob(db(), { worker: 'w', kinds: ['crashy'], leaseMs: 1000, now: muchLater }),
    ).toBeUndefined();
    expect(await findJob(db(), id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no attempts are left'),
    });
  });
});
