/**
 * The built server as a separate process (`arbiter serve`), so the load benchmark measures it as
 * deployed and the fault tests can kill it with SIGKILL and start it again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ARBITER = path.resolve(import.meta.dirname, '..', '..', 'bin', 'arbiter.js');

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  /** the process's output so far (for error messages) */
  output(): string;
  pid(): number | undefined;
  /** sends `signal` and waits for the process to exit */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** starts it again on the same port with the same environment, and waits until it is healthy */
  restart(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free when asked; the server binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls /healthz until it answers 200; throws if the process exits or `timeoutMs` passes. */
export async function waitHealthy(url: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited()) throw new Error('the server exited before it was healthy');
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no healthy answer from ${url}/healthz within ${timeoutMs} ms`);
}

/**
 * Starts `arbiter serve` with `env` (on top of this process's PATH and HOME only, so nothing from
 * the caller's configuration leaks in) and resolves once /healthz answers 200.
 */
export async function spawnServer(options: {
  env: Record<string, string>;
  /** extra arguments for node itself, before the script (profiling flags) */
  nodeArgs?: string[];
  port?: number;
  readyTimeoutMs?: number;
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let child: ChildProcess | undefined;
  let exited = true;
  let output = '';
  const start = async () => {
    output = '';
    exited = false;
    child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), ARBITER, 'serve', '--port', String(port), '--host', '127.0.0.1'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_ENV: 'production',
          ARBITER_COOKIE_SECURE: 'false',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => {
      exited = true;
    });
    try {
      await waitHealthy(url, readyTimeoutMs, () => exited);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${output}`);
    }
  };
  await start();
  return {
    url,
    port,
    output: () => output,
    pid: () => child?.pid,
    async kill(signal = 'SIGTERM') {
      if (!child || exited) return;
      const done = new Promise((resolve) => child!.once('exit', resolve));
      child.kill(signal);
      await done;
    },
    async restart() {
      if (!exited) throw new Error('restart: the server is still running');
      await start();
    },
  };
}
