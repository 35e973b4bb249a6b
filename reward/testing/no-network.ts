/**
 * For test files that load Transformers.js models: the library fetches through `env.fetch`, so a
 * spy there that always fails makes any download attempt both fail and fail the test that made it.
 */
import { env } from '@huggingface/transformers';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';

export function forbidNetwork(): void {
  const fetchSpy = vi.fn((_url: unknown, _init?: unknown) =>
    Promise.reject(new Error('network is off in tests')),
  );
  const realFetch = env.fetch;
  beforeAll(() => {
    env.fetch = fetchSpy;
  });
  afterAll(() => {
    env.fetch = realFetch;
  });
  afterEach(() => {
    const urls = fetchSpy.mock.calls.map(([url]) => String(url));
    fetchSpy.mockClear(); // blame only the test (or its suite's beforeAll) that fetched
    expect(urls, 'network requests').toEqual([]);
  });
}
