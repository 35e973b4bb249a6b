/**
 * Short form of the form-action fuzzing (the long form is `npm run bench:fuzz`): every route
 * action that reads a form, over HTTP, on each backend; never a 5xx, and a refused fetch changes
 * no data.
 */
import { describe, it } from 'vitest';
import { availableBackends } from '../setup/db';
import { useTestServer } from '../setup/server';
import { FORM_FAMILIES, formFamily } from '../fuzz/forms';
import { assertFamily, FUZZ_TIMEOUT_MS, runFamily, shortForm } from '../fuzz/runner';
import { fuzzServerConfig } from '../fuzz/server-config';

const RUNS = 150;

for (const backend of availableBackends()) {
  describe(`fuzzing form actions [${backend}]`, () => {
    const server = useTestServer(backend, fuzzServerConfig());
    for (const family of Object.keys(FORM_FAMILIES) as (keyof typeof FORM_FAMILIES)[])
      it(
        family,
        async () => {
          const spec = await formFamily({ url: server.url(), db: server.db() }, family);
          const report = await runFamily(spec, shortForm(RUNS));
          assertFamily(report);
        },
        FUZZ_TIMEOUT_MS,
      );
  });
}
