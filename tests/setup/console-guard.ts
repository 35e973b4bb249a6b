/**
 * Any console.error during a test fails it (ARCHITECTURE §6), unless the test announced it with
 * expectConsoleError(): errors nobody looks at are how regressions hide.
 */
import { afterEach, beforeEach, vi } from 'vitest';

let expected = 0;
let seen: unknown[][] = [];

export function expectConsoleError(count = 1): void {
  expected += count;
}

beforeEach(() => {
  expected = 0;
  seen = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    seen.push(args);
  });
});

afterEach(() => {
  vi.mocked(console.error).mockRestore();
  if (seen.length > expected) {
    const first = seen[expected]!.map((a) => (a instanceof Error ? a.stack : String(a))).join(' ');
    throw new Error(`Unexpected console.error during the test (${seen.length - expected} call(s)): ${first}`);
  }
});
