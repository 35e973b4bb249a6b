import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// patches/README.md: without the postinstall step the server still works, but matches every route
// from scratch on each request; this catches a checkout where the patch silently did not apply
describe('dependency patches', () => {
  it('the server bundle of @remix-run/router caches its ranked routes and compiled paths', () => {
    const require = createRequire(import.meta.url);
    const source = fs.readFileSync(require.resolve('@remix-run/router'), 'utf8');
    expect(source).toContain('rankedBranchesCache');
    expect(source).toContain('compiledPathCache');
  });
});
