/**
 * Runs one fuzz family (a fast-check property over one input format or endpoint group) and
 * reports what happened: how many inputs, how many fell in each outcome class, and how many broke
 * a rule (a 500, a partial write, an unexpected exception). The same code serves the short form in
 * vitest and the long form in `npm run bench:fuzz`; only `runs` differs. A failure's report names
 * the seed and the (shrunk) counterexample, so `--seed` reproduces it.
 */
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export const DEFAULT_SEED = 20_261_210;

/** A fuzz test's time limit: the short form takes seconds, but FUZZ_RUNS may ask for thousands. */
export const FUZZ_TIMEOUT_MS = 20 * 60_000;

export interface FuzzOptions {
  runs: number;
  seed: number;
}

/**
 * Options for the short form in vitest: `runs` inputs with the fixed seed, unless FUZZ_RUNS or
 * FUZZ_SEED say otherwise (to replay a failure: FUZZ_SEED=<seed from the report> npx vitest run …).
 */
export function shortForm(runs: number): FuzzOptions {
  return {
    runs: Number(process.env.FUZZ_RUNS) || runs,
    seed: Number(process.env.FUZZ_SEED) || DEFAULT_SEED,
  };
}

export type ViolationKind = 'server-error' | 'partial-write' | 'unexpected';

/** Thrown by a family's check when an input breaks a rule; fails the property. */
export class FuzzViolation extends Error {
  constructor(
    readonly kind: ViolationKind,
    message: string,
  ) {
    super(message);
    this.name = 'FuzzViolation';
  }
}

export interface FamilyReport {
  family: string;
  /** generated inputs checked (before the first failure, when there is one) */
  inputs: number;
  /** outcome class → count, e.g. "2xx", "4xx", "imported", "refused" */
  outcomes: Record<string, number>;
  /** finer outcomes where the family has them, e.g. "POST /projects 400" */
  details?: Record<string, number>;
  /** responses with status ≥ 500 (must be 0) */
  server_errors: number;
  /** failed requests or imports that still changed rows (must be 0) */
  partial_writes: number;
  /** exceptions of a type the caller does not handle as user input (must be 0) */
  unexpected: number;
  seconds: number;
  seed: number;
  /** fast-check's report (seed, path, counterexample) when the property failed, else null */
  failure: string | null;
}

export interface FamilySpec<T> {
  family: string;
  arbitrary: fc.Arbitrary<T>;
  /** counterexamples found before, always checked first */
  examples?: T[];
  /** checks one input; returns its outcome class (and a finer detail) or throws FuzzViolation */
  check: (input: T) => Promise<string | { outcome: string; detail: string }>;
}

const MAX_REPORT_CHARS = 6_000;

/** Runs `spec` for `options.runs` generated inputs (plus its examples) with `options.seed`. */
export async function runFamily<T>(spec: FamilySpec<T>, options: FuzzOptions): Promise<FamilyReport> {
  const report: FamilyReport = {
    family: spec.family,
    inputs: 0,
    outcomes: {},
    server_errors: 0,
    partial_writes: 0,
    unexpected: 0,
    seconds: 0,
    seed: options.seed,
    failure: null,
  };
  let failed = false;
  const started = performance.now();
  const property = fc.asyncProperty(spec.arbitrary, async (input) => {
    try {
      const result = await spec.check(input);
      if (!failed) {
        report.inputs++;
        const { outcome, detail } = typeof result === 'string' ? { outcome: result, detail: null } : result;
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
        if (detail !== null) {
          report.details ??= {};
          report.details[detail] = (report.details[detail] ?? 0) + 1;
        }
      }
    } catch (error) {
      // shrinking re-runs failing inputs; only the first failure is counted
      if (!failed) {
        failed = true;
        report.inputs++;
        const kind = error instanceof FuzzViolation ? error.kind : 'unexpected';
        if (kind === 'server-error') report.server_errors++;
        else if (kind === 'partial-write') report.partial_writes++;
        else report.unexpected++;
      }
      throw error;
    }
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    examples: (spec.examples ?? []).map((e) => [e] as [T]),
  });
  report.seconds = Number(((performance.now() - started) / 1000).toFixed(2));
  if (details.failed) {
    const error = details.errorInstance;
    const message =
      `${fc.defaultReportMessage(details) ?? 'failed'}\n` +
      `Error: ${error instanceof Error ? error.message : String(error)}`;
    // long runs of one character (the 70,000-character strings) would bury the rest
    const short = message.replace(/(.)\1{39,}/gs, (run, c: string) => `${c.repeat(3)}…(${run.length}×)`);
    report.failure =
      `${spec.family} (seed ${options.seed}): ` +
      (short.length > MAX_REPORT_CHARS ? `${short.slice(0, MAX_REPORT_CHARS)}…` : short);
  }
  return report;
}

/** Throws the family's failure report (seed and counterexample) when it failed. */
export function assertFamily(report: FamilyReport): void {
  if (report.failure) throw new Error(report.failure);
  if (report.server_errors || report.partial_writes || report.unexpected)
    throw new Error(`${report.family}: ${JSON.stringify(report)}`);
}

/** Row counts of `tables`, in one round trip. */
export async function rowCounts(
  db: Kysely<Database>,
  tables: readonly (keyof Database)[],
): Promise<Record<string, number>> {
  const columns = tables.map((t) => sql`(select count(*) from ${sql.table(t)})::int as ${sql.id(t)}`);
  const result = await sql<Record<string, number>>`select ${sql.join(columns)}`.execute(db);
  return result.rows[0]!;
}

/** Names the tables whose counts differ, or null when none does. */
export function changedCounts(before: Record<string, number>, after: Record<string, number>): string | null {
  const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
  return changed.length ? changed.map((t) => `${t} ${before[t]} → ${after[t]}`).join(', ') : null;
}

/** A short, printable form of an input for violation messages. */
export function shown(value: unknown, max = 300): string {
  let text: string;
  try {
    // `this[key]` is the value before Buffer#toJSON turns it into a list of numbers
    text = JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const raw = this[key];
      return raw instanceof Uint8Array
        ? `bytes(${raw.length}) base64:${Buffer.from(raw).toString('base64')}`
        : v;
    });
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** An error's message, with the first line errors of an import error. */
export function refusal(error: unknown): string {
  const e = error as Error & { errors?: { line: number; message: string }[] };
  const lines = e.errors?.slice(0, 3).map((l) => `line ${l.line}: ${l.message}`) ?? [];
  return [`${e.name}: ${e.message}`, ...lines].join('; ');
}
