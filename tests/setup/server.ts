/**
 * The real server (Express host + Remix build) on a fresh test database, on a random port, and a
 * small HTTP client with a cookie jar that behaves like a browser tab.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Kysely } from 'kysely';
import { loadConfig, type AppConfig } from '../../app/utils/env.server';
import type { Database } from '../../db/schema';
import type { DbHandle } from '../../db/client';
import { startServer, type RunningServer } from '../../scripts/server/start';
import { createTestDb, type Backend } from './db';

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...loadConfig({ NODE_ENV: 'test', PORT: '0', ARBITER_COOKIE_SECURE: 'false' }),
    loginLimits: { windowMinutes: 15, maxFailuresPerAccount: 5, maxFailuresPerAddress: 1000 },
    ...overrides,
  };
}

export async function startTestServer(
  handle: DbHandle,
  overrides: Partial<AppConfig> = {},
): Promise<RunningServer> {
  return startServer({ config: testConfig(overrides), handle, log: () => undefined });
}

export interface ServerSuite {
  url(): string;
  db(): Kysely<Database>;
  client(): Client;
}

/** A fresh database and a running server for the enclosing describe block. */
export function useTestServer(backend: Backend, overrides: Partial<AppConfig> = {}): ServerSuite {
  let handle: DbHandle | undefined;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    handle = await createTestDb(backend);
    server = await startTestServer(handle, overrides);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });
  return { url: () => server!.url, db: () => handle!.db, client: () => new Client(server!.url) };
}

export class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    path: string,
    init: RequestInit & { form?: Record<string, string | string[]> } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', this.cookieHeader());
    let body = init.body;
    if (init.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const item of [v].flat()) params.append(k, item);
      body = params;
      if (!headers.has('Origin')) headers.set('Origin', this.base);
    }
    const response = await fetch(this.base + path, { ...init, body, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return response;
  }

  get(path: string, init: RequestInit = {}) {
    return this.request(path, init);
  }

  post(path: string, form: Record<string, string | string[]>, init: RequestInit = {}) {
    return this.request(path, { ...init, method: 'POST', form });
  }

  async login(email: string, password: string): Promise<Response> {
    const response = await this.post('/login', { email, password, redirectTo: '/' });
    if (response.status !== 302)
      throw new Error(`login for ${email} failed with ${response.status}: ${await response.text()}`);
    return response;
  }
}
