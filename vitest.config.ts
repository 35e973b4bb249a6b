import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{app,db,tasks,reward,scripts,tests}/**/*.test.{ts,tsx}'],
    exclude: ['tests/e2e/**', 'node_modules/**', 'build/**'],
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/console-guard.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each test file runs in its own process: PGlite instances and the app context stay per file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
