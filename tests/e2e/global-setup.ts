/**
 * Starts the production build on a fresh embedded (PGlite) store seeded with the demo data, the
 * same path `npm start` takes, and hands the URL and demo logins to the specs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../app/utils/env.server';
import { startServer } from '../../scripts/server/start';
import { seedDemo } from '../../tasks/demo';
import { createRng } from '../../tasks/rng';
import { TEST_SCRYPT } from '../../tasks/passwords';
import { loadDemoData } from '../../scripts/cli/demo-data';

export default async function globalSetup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-e2e-'));
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      ARBITER_DATA_DIR: dataDir,
      ARBITER_COOKIE_SECURE: 'false',
    }),
  };
  let logins: unknown;
  const server = await startServer({
    config,
    log: () => undefined,
    beforeListen: async ({ db }) => {
      logins = (await seedDemo(db, loadDemoData(), { rng: createRng(7), scrypt: TEST_SCRYPT })).logins;
    },
  });
  const loginsFile = path.join(dataDir, 'logins.json');
  fs.writeFileSync(loginsFile, JSON.stringify(logins));
  process.env.E2E_BASE_URL = server.url;
  process.env.E2E_LOGINS = loginsFile;
  return async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
