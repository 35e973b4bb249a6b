/**
 * What the fault tests share: a preference project with open pairs and signed-up annotators in a
 * database, and a short load of simulated annotators against a server process (the load
 * benchmark's own driver, scripts/bench/load/).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { createProject } from '../../tasks/projects';
import { runAnnotators, type LoadResult } from '../../scripts/bench/load/annotators';
import { httpOps, SessionClient } from '../../scripts/bench/load/http-ops';
import { seedOpenPairs } from '../../scripts/bench/seed-preferences';
import { makeUser } from '../setup/factories';

export const SESSION_SECRET = 'fault-tests-session-secret-0123456789abcdef';

/** The environment every fault test's server process gets, on top of its database settings. */
export const SERVER_ENV = {
  SESSION_SECRET,
  ARBITER_WORKER: 'off',
  ARBITER_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
};

export interface LoadFixture {
  projectId: string;
  slug: string;
  accounts: { email: string; password: string }[];
}

/** A project of `pairs` open pairs (redundancy 3) and `annotators` annotators. */
export async function prepareLoad(
  db: Kysely<Database>,
  options: { pairs: number; annotators: number },
): Promise<LoadFixture> {
  const slug = `fault-${randomBytes(3).toString('hex')}`;
  const project = await createProject(
    db,
    { slug, name: 'Fault test', type: 'preference', redundancy: 3 },
    {},
  );
  await seedOpenPairs(db, project.id, options.pairs);
  const accounts = [];
  for (let i = 0; i < options.annotators; i++) {
    const { user, password } = await makeUser(db, { roles: ['annotator'] });
    accounts.push({ email: user.email, password });
  }
  return { projectId: project.id, slug, accounts };
}

/** Signs every account in (against `bases`, round-robin) and returns one client each. */
export async function signIn(fixture: LoadFixture, bases: string[]): Promise<SessionClient[]> {
  const clients = fixture.accounts.map(() => new SessionClient(bases, 10_000));
  for (let i = 0; i < clients.length; i++)
    await clients[i]!.login(fixture.accounts[i]!.email, fixture.accounts[i]!.password);
  return clients;
}

/** Runs the clients as annotators for `seconds` with short think times. */
export function runLoad(
  clients: SessionClient[],
  slug: string,
  seconds: number,
  seed = 7,
): Promise<LoadResult> {
  return runAnnotators(
    clients.map((c) => httpOps(c, slug)),
    { deadline: Date.now() + seconds * 1000, thinkMs: [30, 120], graceMs: 30_000, seed },
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 100 ms until it returns true; returns the ms waited, or throws after `timeoutMs`. */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const began = Date.now();
  while (Date.now() - began < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - began;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
