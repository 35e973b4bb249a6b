/**
 * The per-process state the app needs (database, configuration, session secrets). The host process
 * (`arbiter serve`, or a test) creates it once and publishes it on globalThis, so it survives dev
 * rebuilds of the server bundle and is shared by every copy of this module.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { AppConfig } from './env.server';

export interface AppContext {
  db: Kysely<Database>;
  dbKind: 'pglite' | 'postgres';
  config: AppConfig;
  sessionSecrets: string[];
  startedAt: Date;
}

const KEY = Symbol.for('arbiter.app-context');
type WithContext = typeof globalThis & { [KEY]?: AppContext };

export function setAppContext(context: AppContext | undefined): void {
  (globalThis as WithContext)[KEY] = context;
}

export function getAppContext(): AppContext {
  const context = (globalThis as WithContext)[KEY];
  if (!context) throw new Error('Arbiter is not initialised: start it with `arbiter serve` (npm start).');
  return context;
}

export function getDb(): Kysely<Database> {
  return getAppContext().db;
}
