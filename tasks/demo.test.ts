import { expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { loadDemoData } from '../scripts/cli/demo-data';
import { authenticate } from './accounts';
import { isDatabaseEmpty, seedDemo } from './demo';
import { TEST_SCRYPT } from './passwords';
import { createRng } from './rng';

describeDb('demo data', ({ db }) => {
  it('seeds both projects and a working login per role, once', async () => {
    expect(await isDatabaseEmpty(db())).toBe(true);
    const summary = await seedDemo(db(), loadDemoData(), { rng: createRng(1), scrypt: TEST_SCRYPT });
    expect(summary.prompts).toBe(40);
    expect(summary.sentimentItems).toBe(200);
    expect(summary.pairs).toBeGreaterThanOrEqual(40);
    expect(new Set(summary.logins.flatMap((l) => l.roles))).toEqual(
      new Set(['admin', 'lead', 'researcher', 'safety_reviewer', 'annotator']),
    );
    for (const login of summary.logins) {
      const result = await authenticate(db(), {
        email: login.email,
        password: login.password,
        ip: '127.0.0.9',
      });
      expect(result.ok).toBe(true);
    }
    const languages = await db().selectFrom('prompts').select('language').distinct().execute();
    expect(languages.map((l) => l.language).sort()).toEqual(['de', 'en', 'es', 'fr']);
    await expect(seedDemo(db(), loadDemoData(), { rng: createRng(1), scrypt: TEST_SCRYPT })).rejects.toThrow(
      /already has/,
    );
  });
});
