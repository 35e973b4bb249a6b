/**
 * Simulated annotators for the load benchmark and the fault tests: each one loops next pair →
 * think time → submit until the deadline, through a pluggable pair of operations, so the same
 * loop drives the app over HTTP (what the compare screen does) and the queue functions directly
 * (the baseline). Every submission keeps its id across retries, as the compare form does, so a
 * retried submit after a lost answer is recognised instead of stored twice.
 */
import { createRng, type Rng } from '../../../tasks/rng';

export interface Offered {
  assignmentId: string;
  submissionId: string;
}

/** What one annotator can do; `submit` resolves 'ack' or a 4xx reason, and throws for a failure worth retrying. */
export interface AnnotatorOps {
  next(): Promise<Offered | null>;
  submit(offered: Offered, answer: Answer): Promise<'ack' | { rejected: string }>;
}

export interface Answer {
  helpfulness: number;
  safety: number;
  rationale: string;
  timeOnTaskMs: number;
}

export interface LoadOptions {
  /** ms since the epoch after which no new pair is requested */
  deadline: number;
  /** think time is uniform in [min, max] ms */
  thinkMs: [number, number];
  /** latencies of operations that start before this time are not recorded (warm-up) */
  recordFrom?: number;
  /** a submission still unacknowledged this long after the deadline is given up */
  graceMs?: number;
  seed: number;
}

export interface LoadResult {
  /** latency samples in ms of successful operations, after the warm-up */
  nextPairMs: number[];
  submitMs: number[];
  /** failures by kind ("next-pair: 500", "submit: fetch failed"…), each retried */
  errors: Record<string, number>;
  /** submissions refused with a 4xx, by message */
  rejected: Record<string, number>;
  /** submission ids the app acknowledged */
  acknowledged: string[];
  /** submissions that were never acknowledged (their fate is checked against the database) */
  unacknowledged: string[];
  /** times the queue answered "nothing available" */
  empty: number;
  /** the slowest single attempt of any operation, successful or not, in ms */
  slowestMs: number;
  startedAt: number;
  endedAt: number;
}

export function emptyResult(): LoadResult {
  return {
    nextPairMs: [],
    submitMs: [],
    errors: {},
    rejected: {},
    acknowledged: [],
    unacknowledged: [],
    empty: 0,
    slowestMs: 0,
    startedAt: Date.now(),
    endedAt: 0,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 120);

function randomAnswer(rng: Rng, thinkMs: number): Answer {
  const scale = () => Math.floor(rng() * 7) - 3;
  return {
    helpfulness: scale(),
    safety: rng() < 0.9 ? 0 : scale(),
    rationale: rng() < 0.3 ? `Simulated rationale ${Math.floor(rng() * 1e6)}.` : '',
    timeOnTaskMs: Math.round(thinkMs),
  };
}

/** One annotator's loop; results accumulate into `into` (shared by all annotators of a run). */
export async function driveAnnotator(
  ops: AnnotatorOps,
  options: LoadOptions,
  into: LoadResult,
): Promise<void> {
  const rng = createRng(options.seed);
  const graceMs = options.graceMs ?? 15_000;
  const recordFrom = options.recordFrom ?? 0;
  const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; began: number }> => {
    const began = Date.now();
    const t = performance.now();
    try {
      const value = await fn();
      return { value, ms: performance.now() - t, began };
    } finally {
      into.slowestMs = Math.max(into.slowestMs, performance.now() - t);
    }
  };
  while (Date.now() < options.deadline) {
    let offered: Offered | null;
    try {
      const { value, ms, began } = await timed(() => ops.next());
      if (began >= recordFrom) into.nextPairMs.push(ms);
      offered = value;
    } catch (error) {
      count(into.errors, `next-pair: ${describe(error)}`);
      await sleep(100 + rng() * 200);
      continue;
    }
    if (!offered) {
      into.empty++;
      await sleep(500);
      continue;
    }
    const think = options.thinkMs[0] + rng() * (options.thinkMs[1] - options.thinkMs[0]);
    await sleep(think);
    const answer = randomAnswer(rng, think);
    // retried with the same id until acknowledged or refused, like pressing Enter again
    for (let attempt = 0; ; attempt++) {
      try {
        const { value, ms, began } = await timed(() => ops.submit(offered, answer));
        if (value === 'ack') {
          if (began >= recordFrom && attempt === 0) into.submitMs.push(ms);
          into.acknowledged.push(offered.submissionId);
        } else {
          count(into.rejected, value.rejected);
          into.unacknowledged.push(offered.submissionId);
        }
        break;
      } catch (error) {
        count(into.errors, `submit: ${describe(error)}`);
        if (Date.now() > options.deadline + graceMs) {
          into.unacknowledged.push(offered.submissionId);
          break;
        }
        await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + rng()));
      }
    }
  }
}

/** Runs `annotators` loops at once (each with its own ops) and returns the combined result. */
export async function runAnnotators(
  opsFor: readonly AnnotatorOps[],
  options: LoadOptions,
): Promise<LoadResult> {
  const result = emptyResult();
  await Promise.all(
    opsFor.map((ops, i) => driveAnnotator(ops, { ...options, seed: options.seed * 1000 + i }, result)),
  );
  result.endedAt = Date.now();
  return result;
}

/** p50/p95/p99/max of millisecond samples (nearest rank), rounded to 0.1 ms. */
export function latencyStats(ms: readonly number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  const at = (q: number) => (sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! : 0);
  return {
    n: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? 0),
  };
}
