/**
 * The only module that reads process.env. Every setting Arbiter has is declared here, validated
 * with zod, and documented in the README's configuration table; a bad value stops start-up with
 * one line naming the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import type { DbConfig } from '../../db/client';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  DATABASE_URL: optionalString,
  ARBITER_DATA_DIR: z.string().default('./.arbiter'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  ARBITER_PUBLIC_URL: optionalString.pipe(
    z.url({ error: 'must be a URL like https://arbiter.example.org' }).optional(),
  ),
  SESSION_SECRET: optionalString,
  ARBITER_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  ARBITER_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  ARBITER_TRUST_PROXY: flag,
  ARBITER_PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  ARBITER_PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  // on unless switched off: a pooler in transaction mode cannot keep named statements
  ARBITER_PG_PREPARED_STATEMENTS: z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
    .optional()
    .transform((v) => v !== '0' && v !== 'false' && v !== 'no'),
  ARBITER_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  ARBITER_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  ARBITER_UPLOAD_DIR: optionalString,
  ARBITER_MODELS_DIR: z.string().default('./models'),
  ARBITER_WORKER: z.enum(['on', 'off']).default('on'),
  ARBITER_JOB_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  ARBITER_LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  ARBITER_LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  ARBITER_LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  ARBITER_DEBUG: flag,
});

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  db: DbConfig;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string | undefined;
  sessionSecrets: string[];
  sessionDays: number;
  cookieSecure: boolean;
  trustProxy: boolean;
  maxBodyBytes: number;
  maxUploadBytes: number;
  /** where uploaded files wait for their import job; must be shared by all app processes' workers */
  uploadDir: string;
  /** pretrained Transformers.js models, one directory per model id (a sentiment project's cold start) */
  modelsDir: string;
  /** whether this process runs background jobs */
  worker: boolean;
  /** how long a job stays claimed without a heartbeat: a dead worker's job is retried after this */
  jobLeaseSeconds: number;
  loginLimits: { windowMinutes: number; maxFailuresPerAccount: number; maxFailuresPerAddress: number };
  debug: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment (process.env unless given) into AppConfig, or throws ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.ARBITER_DATA_DIR);
  const db: DbConfig = e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        poolSize: e.ARBITER_PG_POOL_SIZE,
        statementTimeoutMs: e.ARBITER_PG_STATEMENT_TIMEOUT_MS,
        preparedStatements: e.ARBITER_PG_PREPARED_STATEMENTS,
      }
    : { kind: 'pglite', dataDir };
  return {
    nodeEnv: e.NODE_ENV,
    db,
    dataDir,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.ARBITER_PUBLIC_URL,
    sessionSecrets: (e.SESSION_SECRET ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    sessionDays: e.ARBITER_SESSION_DAYS,
    cookieSecure:
      e.ARBITER_COOKIE_SECURE === 'auto' ? e.NODE_ENV === 'production' : e.ARBITER_COOKIE_SECURE === 'true',
    trustProxy: e.ARBITER_TRUST_PROXY,
    maxBodyBytes: e.ARBITER_MAX_BODY_BYTES,
    maxUploadBytes: e.ARBITER_MAX_UPLOAD_BYTES,
    uploadDir: path.resolve(e.ARBITER_UPLOAD_DIR ?? path.join(dataDir, 'uploads')),
    modelsDir: path.resolve(e.ARBITER_MODELS_DIR),
    worker: e.ARBITER_WORKER === 'on',
    jobLeaseSeconds: e.ARBITER_JOB_LEASE_SECONDS,
    loginLimits: {
      windowMinutes: e.ARBITER_LOGIN_WINDOW_MINUTES,
      maxFailuresPerAccount: e.ARBITER_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: e.ARBITER_LOGIN_MAX_FAILURES_PER_ADDRESS,
    },
    debug: e.ARBITER_DEBUG,
  };
}

/** A secret-free view of the configuration, for logs and `arbiter serve` start-up lines. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    database: config.db.kind === 'pglite' ? `embedded (${config.dataDir})` : 'postgresql',
    listen: `${config.host}:${config.port}`,
    publicUrl: config.publicUrl ?? '(from request Host)',
    sessionSecrets: config.sessionSecrets.length
      ? `${config.sessionSecrets.length} from SESSION_SECRET`
      : 'stored in database',
    cookieSecure: config.cookieSecure,
  };
}
