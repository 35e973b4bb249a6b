/**
 * The test suite's view of its environment. Test harness code may read process.env directly;
 * application code goes through app/utils/env.server.ts.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const IS_CI = process.env.CI === 'true' || process.env.CI === '1';
export const SHARED_DATA_DIR = new URL('../../../shared/data/', import.meta.url);
