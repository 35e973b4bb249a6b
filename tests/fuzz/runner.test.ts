import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertFamily, FuzzViolation, runFamily } from './runner';

describe('runFamily', () => {
  it('counts outcome classes and details of a passing family', async () => {
    const report = await runFamily(
      {
        family: 'parity',
        arbitrary: fc.integer({ min: 0, max: 99 }),
        check: async (n) => ({ outcome: n % 2 ? 'odd' : 'even', detail: `last digit ${n % 10}` }),
      },
      { runs: 200, seed: 1 },
    );
    expect(report.inputs).toBe(200);
    expect(report.outcomes.odd! + report.outcomes.even!).toBe(200);
    expect(Object.values(report.details!).reduce((a, b) => a + b, 0)).toBe(200);
    expect(report.failure).toBeNull();
    expect(() => assertFamily(report)).not.toThrow();
  });

  it('reports a violation with its kind, the seed and the shrunk counterexample, and replays it', async () => {
    const spec = {
      family: 'no big numbers',
      arbitrary: fc.integer({ min: 0, max: 10_000 }),
      examples: [3],
      check: async (n: number) => {
        if (n >= 500) throw new FuzzViolation('server-error', `500 for ${n}`);
        return 'small';
      },
    };
    const report = await runFamily(spec, { runs: 500, seed: 42 });
    expect(report.server_errors).toBe(1);
    expect(report.failure).toContain('seed 42');
    expect(report.failure).toContain('Counterexample: [500]');
    expect(report.failure).toContain('Error: 500 for 500');
    expect(() => assertFamily(report)).toThrow(/no big numbers/);
    // the same seed finds the same failure after the same number of inputs
    expect((await runFamily(spec, { runs: 500, seed: 42 })).inputs).toBe(report.inputs);
  });

  it('counts an exception that is not a violation as unexpected', async () => {
    const report = await runFamily(
      {
        family: 'throws',
        arbitrary: fc.constant(1),
        check: async () => {
          throw new TypeError('x is undefined');
        },
      },
      { runs: 5, seed: 1 },
    );
    expect(report).toMatchObject({ inputs: 1, unexpected: 1, server_errors: 0 });
    expect(report.failure).toContain('x is undefined');
  });

  it('shortens long runs of one character in the report', async () => {
    const report = await runFamily(
      {
        family: 'long',
        arbitrary: fc.constant('x'.repeat(5000)),
        check: async () => {
          throw new FuzzViolation('unexpected', 'no');
        },
      },
      { runs: 1, seed: 1 },
    );
    expect(report.failure).toContain('xxx…(5000×)');
    expect(report.failure!.length).toBeLessThan(1000);
  });
});
