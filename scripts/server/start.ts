/**
 * Starts Arbiter: open the database (taking the embedded store's lock), migrate, resolve session
 * secrets, optionally seed the demo, publish the app context, and serve the Remix build.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { broadcastDevReady, installGlobals, type ServerBuild } from '@remix-run/node';
import { openDb, type DbHandle } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { resolveSessionSecrets } from '../../tasks/session-secrets';
import { setAppContext } from '../../app/utils/context.server';
import type { AppConfig } from '../../app/utils/env.server';
import { createHttpApp } from './http-app';
import { startWorker, type JobHandler } from '../../tasks/jobs';
import { runImportJob } from '../../tasks/import/job';
import { REWARD_TRAIN_JOB, runRewardTrainingJob } from '../../tasks/reward-training-job';
import { runSentimentCycleJob, SENTIMENT_CYCLE_JOB } from '../../tasks/sentiment-cycle';
import { runReprelabelJob, SENTIMENT_PRELABEL_JOB } from '../../tasks/sentiment-reprelabel';
import { QUEUE_REFRESH_JOB, runQueueRefreshJob } from '../../tasks/active-learning/refresh';
import { runProjectSimulationJob, SIMULATION_JOB } from '../../tasks/active-learning/project-simulation';
import { QUALITY_REFRESH_JOB, runQualityRefreshJob } from '../../tasks/quality/refresh';
import { EXPORT_JOB, runExportJob } from '../../tasks/export/snapshots';
import {
  runSafetyScoreJob,
  runSafetyTrainingJob,
  SAFETY_SCORE_JOB,
  SAFETY_TRAIN_JOB,
} from '../../tasks/safety/training-job';

/** Every kind of background job this server runs. */
const JOB_HANDLERS: Record<string, JobHandler> = {
  import: runImportJob,
  [REWARD_TRAIN_JOB]: runRewardTrainingJob,
  [SENTIMENT_CYCLE_JOB]: runSentimentCycleJob,
  [SENTIMENT_PRELABEL_JOB]: runReprelabelJob,
  [QUEUE_REFRESH_JOB]: runQueueRefreshJob,
  [SIMULATION_JOB]: runProjectSimulationJob,
  [QUALITY_REFRESH_JOB]: runQualityRefreshJob,
  [EXPORT_JOB]: runExportJob,
  [SAFETY_TRAIN_JOB]: runSafetyTrainingJob,
  [SAFETY_SCORE_JOB]: runSafetyScoreJob,
};

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUILD_PATH = path.join(PROJECT_ROOT, 'build', 'index.js');

export interface StartOptions {
  config: AppConfig;
  /** an already-open database (tests); otherwise one is opened from config.db */
  handle?: DbHandle;
  dev?: boolean;
  /** run background jobs in this process (default: config.worker) */
  worker?: boolean;
  /** runs after migrations, before serving (e.g. seeding the demo) */
  beforeListen?: (handle: DbHandle) => Promise<void>;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  handle: DbHandle;
  close(): Promise<void>;
}

async function importBuild(bust = false): Promise<ServerBuild> {
  if (!fs.existsSync(BUILD_PATH)) {
    throw new Error(
      `No server build at ${path.relative(process.cwd(), BUILD_PATH)}: run \`npm run build\` first (npm start does).`,
    );
  }
  const url = pathToFileURL(BUILD_PATH).href + (bust ? `?t=${fs.statSync(BUILD_PATH).mtimeMs}` : '');
  return (await import(url)) as ServerBuild;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  installGlobals({ nativeFetch: true });
  let build = await importBuild();
  const listenHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const displayUrl =
    config.publicUrl ?? `http://${listenHost === '127.0.0.1' ? 'localhost' : listenHost}:${config.port}`;

  const handle =
    options.handle ??
    (await openDb(
      config.db.kind === 'pglite' ? { ...config.db, lockPurpose: 'server', lockUrl: displayUrl } : config.db,
    ));
  try {
    const migrated = await migrateToLatest(handle.db);
    if (migrated.applied.length)
      log(`Applied ${migrated.applied.length} migration(s): ${migrated.applied.join(', ')}`);
    const sessionSecrets = await resolveSessionSecrets(handle.db, config.sessionSecrets);
    setAppContext({ db: handle.db, dbKind: handle.kind, config, sessionSecrets, startedAt: new Date() });
    await options.beforeListen?.(handle);
  } catch (error) {
    if (!options.handle) await handle.close();
    throw error;
  }

  const app = createHttpApp({
    build: options.dev ? async () => build : build,
    config,
    projectRoot: PROJECT_ROOT,
    mode: options.dev ? 'development' : 'production',
  });
  const server = http.createServer(app);
  // A request that stalls (slow client, stuck query) is cut off rather than held forever.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    setAppContext(undefined);
    if (!options.handle) await handle.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(
        `Port ${config.port} on ${config.host} is already in use. Stop the other process, or choose another port with --port or PORT.`,
      );
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.port === 0 ? `http://127.0.0.1:${port}` : displayUrl;

  const stopWorker =
    (options.worker ?? config.worker)
      ? startWorker(handle.db, {
          handlers: JOB_HANDLERS,
          log,
          modelsDir: config.modelsDir,
          leaseMs: config.jobLeaseSeconds * 1000,
        })
      : async () => undefined;

  let watcher: fs.FSWatcher | undefined;
  if (options.dev) {
    await broadcastDevReady(build);
    watcher = fs.watch(path.dirname(BUILD_PATH), async (_event, file) => {
      if (file !== 'index.js') return;
      try {
        build = await importBuild(true);
        await broadcastDevReady(build);
      } catch (error) {
        log(`Reload failed: ${(error as Error).message}`);
      }
    });
  }

  let closed = false;
  return {
    url,
    handle,
    async close() {
      if (closed) return;
      closed = true;
      watcher?.close();
      await stopWorker();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      setAppContext(undefined);
      if (!options.handle) await handle.close();
    },
  };
}
