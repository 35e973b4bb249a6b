/**
 * Background work (imports now; training and exports later) runs as jobs that survive restarts.
 * Every app process runs a worker; the queue (db/queries/jobs.ts) guarantees a job runs in one
 * place at a time. A handler throws PermanentJobError for failures a retry cannot fix.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import {
  claimJob,
  finishJob,
  insertJob,
  renewJobLease,
  setJobProgress,
  type JobRow,
} from '../db/queries/jobs';

export class PermanentJobError extends Error {
  constructor(
    message: string,
    readonly result?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface JobContext {
  db: Kysely<Database>;
  /** records progress (throttled) and renews the lease; throws when the job was taken away */
  progress(progress: Record<string, unknown>): Promise<void>;
  /** ARBITER_MODELS_DIR: where jobs find pretrained models (a sentiment project's cold start) */
  modelsDir?: string | null;
}

export type JobHandler = (job: JobRow, context: JobContext) => Promise<Record<string, unknown>>;

export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  leaseMs?: number;
  /** for tests: a fixed worker name */
  name?: string;
  /** handed to every job (JobContext.modelsDir) */
  modelsDir?: string | null;
  log?: (line: string) => void;
}

export const enqueueJob = insertJob;

/** Runs jobs one at a time until stopped. Returns a function that stops it (and waits for the current job). */
export function startWorker(db: Kysely<Database>, options: WorkerOptions): () => Promise<void> {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const log = options.log ?? ((line: string) => console.log(line));
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopped) {
      let job: JobRow | undefined;
      try {
        job = await claimJob(db, {
          worker: name,
          kinds: Object.keys(options.handlers),
          leaseMs,
          now: new Date(),
        });
      } catch (error) {
        log(`jobs: cannot claim (${(error as Error).message}); retrying`);
      }
      if (!job) {
        await sleep(pollMs);
        continue;
      }
      await runOne(db, job, name, leaseMs, options.handlers[job.kind]!, log, options.modelsDir ?? null);
    }
  })();

  return async () => {
    stopped = true;
    wake?.();
    await loop;
  };
}

async function runOne(
  db: Kysely<Database>,
  job: JobRow,
  worker: string,
  leaseMs: number,
  handler: JobHandler,
  log: (line: string) => void,
  modelsDir: string | null,
) {
  let lastWrite = 0;
  // The lease is renewed on a timer as well as with progress: a handler that reports rarely (one
  // long statement) must not look dead, or a second worker would claim the job and run it twice.
  // A worker that really dies stops renewing, and the job is claimed again once the lease ends.
  const heartbeat = setInterval(
    () => {
      renewJobLease(db, job.id, worker, new Date(Date.now() + leaseMs)).catch(() => undefined);
    },
    Math.max(250, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();
  const context: JobContext = {
    db,
    modelsDir,
    async progress(progress) {
      const now = Date.now();
      if (now - lastWrite < 250) return;
      lastWrite = now;
      if (!(await setJobProgress(db, job.id, worker, progress, new Date(now + leaseMs)))) {
        throw new PermanentJobError('This job was taken over by another worker.');
      }
    },
  };
  try {
    const result = await handler(job, context);
    await finishJob(db, job.id, worker, { status: 'succeeded', result }, new Date());
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const permanent = error instanceof PermanentJobError;
    const retry = !permanent && job.attempts < job.max_attempts;
    if (!permanent)
      log(`jobs: ${job.kind} ${job.id} failed (attempt ${job.attempts} of ${job.max_attempts}): ${message}`);
    await finishJob(
      db,
      job.id,
      worker,
      {
        status: 'failed',
        error: message,
        result: permanent ? error.result : undefined,
        retryAt: retry ? new Date(Date.now() + 2 ** job.attempts * 1000) : undefined,
      },
      new Date(),
    ).catch((finishError: Error) =>
      log(`jobs: cannot record the failure of ${job.id}: ${finishError.message}`),
    );
  } finally {
    clearInterval(heartbeat);
  }
}
