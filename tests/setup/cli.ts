/**
 * Runs the `arbiter` CLI as a person would: a child process with a clean environment (PATH and
 * HOME only, plus what a test passes), optional standard input, and its exit code and output.
 * Shared by the CLI tests.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve('scripts/bin/arbiter.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runArbiter(
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
