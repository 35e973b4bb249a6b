/**
 * Short form of the API, filter and oversized-body fuzzing (the long form is `npm run bench:fuzz`),
 * over HTTP on each backend: never a 5xx, errors as JSON with a message, refused requests change
 * no data, and bodies over the limits are refused with 413 (411 without a length).
 */
import { describe, it } from 'vitest';
import { availableBackends } from '../setup/db';
import { useTestServer } from '../setup/server';
import { apiFamily } from '../fuzz/api';
import { filterFamily } from '../fuzz/filters';
import { oversizedFamily } from '../fuzz/oversized';
import { assertFamily, FUZZ_TIMEOUT_MS, runFamily, shortForm } from '../fuzz/runner';
import { fuzzServerConfig } from '../fuzz/server-config';

for (const backend of availableBackends()) {
  describe(`fuzzing the API, filters and body limits [${backend}]`, () => {
    const config = fuzzServerConfig();
    const server = useTestServer(backend, config);
    const target = () => ({ url: server.url(), db: server.db() });

    it(
      'answers API bodies, methods, tokens and paths without a 5xx, errors as JSON',
      async () => {
        const report = await runFamily(await apiFamily(target()), shortForm(200));
        assertFamily(report);
      },
      FUZZ_TIMEOUT_MS,
    );

    it(
      'reads every query-string filter without a 5xx',
      async () => {
        const report = await runFamily(await filterFamily(target()), shortForm(200));
        assertFamily(report);
      },
      FUZZ_TIMEOUT_MS,
    );

    it(
      'refuses bodies over the limits early, and only those',
      async () => {
        const limits = { maxBodyBytes: config.maxBodyBytes!, maxUploadBytes: config.maxUploadBytes! };
        const report = await runFamily(oversizedFamily(target(), limits), shortForm(100));
        assertFamily(report);
      },
      FUZZ_TIMEOUT_MS,
    );
  });
}
