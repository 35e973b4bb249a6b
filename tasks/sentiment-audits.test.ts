import { describe, expect, it } from 'vitest';
import { bandEdges, estimateAuditErrors, wilsonInterval } from './sentiment-audits';

describe('the Wilson score interval', () => {
  it('matches published values (95%, z = 1.96)', () => {
    // Newcombe (1998), Statistics in Medicine 17:857–872, table I, method 3: 81/263 → 0.2553–0.3662
    const a = wilsonInterval(81, 263);
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    // 15/148 → 0.0624–0.1605, and the degenerate cases 0/20 → 0–0.1611, 1/29 → 0.0061–0.1718
    expect(wilsonInterval(15, 148).low).toBeCloseTo(0.0624, 4);
    expect(wilsonInterval(15, 148).high).toBeCloseTo(0.1605, 4);
    expect(wilsonInterval(0, 20)).toMatchObject({ estimate: 0, low: 0 });
    expect(wilsonInterval(0, 20).high).toBeCloseTo(0.1611, 4);
    expect(wilsonInterval(1, 29).low).toBeCloseTo(0.0061, 4);
    expect(wilsonInterval(1, 29).high).toBeCloseTo(0.1718, 4);
  });

  it('stays inside [0, 1] and says nothing about an empty sample', () => {
    expect(wilsonInterval(10, 10).high).toBeCloseTo(1, 12);
    expect(wilsonInterval(0, 0)).toEqual({ estimate: 0, low: 0, high: 1 });
  });
});

describe('audit estimates', () => {
  const outcome = (confidence: number, agrees: boolean) => ({ confidence, agrees });

  it('bands the auto-accepted range from the threshold up', () => {
    expect(bandEdges(0.9)).toEqual([0.9, 0.95, 0.98, 0.99, 1]);
    expect(bandEdges(0.85)).toEqual([0.85, 0.9, 0.95, 0.98, 0.99, 1]);
  });

  it('estimates each band and the whole, and counts the accepted items each speaks for', () => {
    const outcomes = [
      ...Array.from({ length: 9 }, () => outcome(0.92, true)),
      outcome(0.93, false),
      ...Array.from({ length: 10 }, () => outcome(0.995, true)),
      outcome(1, true),
    ];
    const accepted = [0.91, 0.92, 0.93, 0.96, 0.995, 1, 1];
    const e = estimateAuditErrors(outcomes, accepted, { threshold: 0.9, tolerance: 0.05 });
    expect(e.bands.map((b) => [b.from, b.to, b.audited, b.wrong, b.accepted])).toEqual([
      [0.9, 0.95, 10, 1, 3],
      [0.95, 0.98, 0, 0, 1],
      [0.98, 0.99, 0, 0, 0],
      [0.99, 1, 11, 0, 3],
    ]);
    expect(e.bands[0]!.errorRate).toEqual(wilsonInterval(1, 10));
    expect(e.overall).toMatchObject({ audited: 21, wrong: 1, accepted: 7 });
    expect(e.status).toBe('ok');
    expect(e.suggestedThreshold).toBeNull();
  });

  it('warns when the error rate exceeds the tolerance and suggests a threshold the audits support', () => {
    const outcomes = [
      ...Array.from({ length: 20 }, (_, i) => outcome(0.9 + (i % 5) * 0.01, i % 2 === 0)),
      ...Array.from({ length: 12 }, () => outcome(0.985, true)),
    ];
    const e = estimateAuditErrors(outcomes, [], { threshold: 0.9, tolerance: 0.05 });
    expect(e.status).toBe('exceeds');
    expect(e.overall.errorRate.low).toBeGreaterThan(0.05);
    // the lowest candidate above which the audits are within tolerance (and there are enough of them)
    expect(e.suggestedThreshold).toBe(0.95);
    expect(e.suggestion).toMatch(/At 0.95 the 12 audits above it show 0.0% wrong/);
  });

  it('calls it "may exceed" while the interval still reaches under the tolerance', () => {
    const outcomes = [outcome(0.95, false), ...Array.from({ length: 9 }, () => outcome(0.95, true))];
    const e = estimateAuditErrors(outcomes, [], { threshold: 0.9, tolerance: 0.05 });
    expect(e.status).toBe('may-exceed');
    expect(e.suggestion).toMatch(
      /No higher threshold has 10 or more audits within tolerance yet; raise it to 0.92/,
    );
  });

  it('reports no audits yet', () => {
    expect(estimateAuditErrors([], [0.95], { threshold: 0.9, tolerance: 0.05 }).status).toBe('no-audits');
  });
});
