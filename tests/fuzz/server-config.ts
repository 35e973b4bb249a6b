/** The server configuration fuzzing runs under (vitest and the benchmark alike). */
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../../app/utils/env.server';

/**
 * No background worker, so rows change only by the request being checked; sign-in limits high
 * enough that thousands of wrong passwords from one address do not lock the fuzzing tabs out; and
 * small body limits, so oversized requests are cheap to send.
 */
export function fuzzServerConfig(
  uploadDir: string = path.join(os.tmpdir(), 'arbiter-fuzz-uploads'),
): Partial<AppConfig> {
  return {
    worker: false,
    loginLimits: { windowMinutes: 15, maxFailuresPerAccount: 5, maxFailuresPerAddress: 1_000_000_000 },
    maxBodyBytes: 256 * 1024,
    maxUploadBytes: 512 * 1024,
    uploadDir,
  };
}
