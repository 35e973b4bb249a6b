import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  annotatorProfiles,
  binomialTwoSidedPValue,
  isoWeekStart,
  lengthBias,
  leaveOneOutAgreement,
  positionBias,
  qualityFlags,
  type AnnotatorProfile,
  type JudgmentRow,
} from './profile';

const AT = new Date('2024-03-06T12:00:00Z');
const row = (
  annotator: string,
  item: string,
  answer: string,
  extra: Partial<JudgmentRow> = {},
): JudgmentRow => ({
  annotator,
  item,
  answer,
  at: AT,
  ...extra,
});
const byAnnotator = (profiles: AnnotatorProfile[]) => new Map(profiles.map((p) => [p.annotator, p]));

describe('leave-one-out agreement', () => {
  it('scores each answer against the majority of the others, hand-checked', () => {
    const rows = [
      // p1: u1 and u2 each see a 1–1 split among the others (excluded); u3 sees a, says b
      row('u1', 'p1', 'a'),
      row('u2', 'p1', 'a'),
      row('u3', 'p1', 'b'),
      // p2: b,b,b,tie → u1–u3 agree with b; u4 disagrees
      row('u1', 'p2', 'b'),
      row('u2', 'p2', 'b'),
      row('u3', 'p2', 'b'),
      row('u4', 'p2', 'tie'),
      // p3: nobody else → excluded
      row('u1', 'p3', 'a'),
      // p4: gold and repeat answers are not "the others", nor scored themselves
      row('u1', 'p4', 'a'),
      row('u2', 'p4', 'b', { isGold: true, goldCorrect: true }),
      row('u3', 'p4', 'b', { isRepeat: true, repeatConsistent: true }),
      // s1, sentiment: pos, neg, neg, neu → u1 and u4 see neg; u2 and u3 see a three-way tie
      row('u1', 's1', 'pos'),
      row('u2', 's1', 'neg'),
      row('u3', 's1', 'neg'),
      row('u4', 's1', 'neu'),
      row('u5', 'g1', 'a', { isGold: true, goldCorrect: false }),
    ];
    const loo = leaveOneOutAgreement(rows);
    expect(Object.fromEntries(loo)).toEqual({
      u1: { agreed: 1, n: 2, rate: 0.5 },
      u2: { agreed: 1, n: 1, rate: 1 },
      u3: { agreed: 1, n: 2, rate: 0.5 },
      u4: { agreed: 0, n: 2, rate: 0 },
      u5: { agreed: 0, n: 0, rate: null },
    });
  });

  it('leaves all of an annotator’s own answers out of "the others"', () => {
    const loo = leaveOneOutAgreement([row('u1', 'p', 'a'), row('u1', 'p', 'b'), row('u2', 'p', 'a')]);
    // u1 is judged against u2 alone (a): one of two answers agrees; u2 sees u1's a and b level
    expect(loo.get('u1')).toEqual({ agreed: 1, n: 2, rate: 0.5 });
    expect(loo.get('u2')).toEqual({ agreed: 0, n: 0, rate: null });
  });

  it('matches a direct recount on random data with duplicates and many labels', () => {
    const rng = createRng(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
    const rows = Array.from({ length: 600 }, () =>
      row(
        pick(['u1', 'u2', 'u3', 'u4', 'u5', 'u6']),
        pick(['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8']),
        pick(['a', 'b', 'c', 'd', 'e']),
        {
          isGold: rng() < 0.1,
          isRepeat: rng() < 0.1,
        },
      ),
    );
    const scored = rows.filter((r) => !r.isGold && !r.isRepeat);
    const expected = new Map<string, { agreed: number; n: number }>();
    for (const r of rows) expected.set(r.annotator, { agreed: 0, n: 0 });
    for (const r of scored) {
      const counts = new Map<string, number>();
      for (const o of scored) {
        if (o.item === r.item && o.annotator !== r.annotator)
          counts.set(o.answer, (counts.get(o.answer) ?? 0) + 1);
      }
      const sorted = [...counts].sort((x, y) => y[1] - x[1]);
      if (sorted.length === 0 || sorted[1]?.[1] === sorted[0]![1]) continue;
      const e = expected.get(r.annotator)!;
      e.n++;
      if (sorted[0]![0] === r.answer) e.agreed++;
    }
    expect([...expected.values()].reduce((sum, e) => sum + e.n, 0)).toBeGreaterThan(300);
    const loo = leaveOneOutAgreement(rows);
    for (const [annotator, { agreed, n }] of expected) {
      expect(loo.get(annotator)).toMatchObject({ agreed, n });
    }
  });

  it('needs a strict leader among many answers', () => {
    const rows = ['x', 'x', 'y', 'y', 'z'].map((a, i) => row(`o${i}`, 'i', a));
    const loo = leaveOneOutAgreement([...rows, row('me', 'i', 'x')]);
    // without me: x 2, y 2, z 1 → no majority; o0 sees x 2 (me + o1), y 2 → none; o2 sees x 3 → x
    expect(loo.get('me')!.n).toBe(0);
    expect(loo.get('o0')!.n).toBe(0);
    expect(loo.get('o2')).toEqual({ agreed: 0, n: 1, rate: 0 });
    expect(loo.get('o4')).toEqual({ agreed: 0, n: 1, rate: 0 });
  });
});

describe('length bias', () => {
  it('counts pairs with a non-tie consensus of the others and different lengths', () => {
    const lengths = { lengthA: 100, lengthB: 300 }; // B is longer
    const rows = [
      ...['o1', 'o2'].map((o) => row(o, 'p1', 'b', lengths)),
      row('me', 'p1', 'b', lengths), // longer, consensus longer
      ...['o1', 'o2'].map((o) => row(o, 'p2', 'a', lengths)),
      row('me', 'p2', 'b', lengths), // longer, consensus shorter
      ...['o1', 'o2'].map((o) => row(o, 'p3', 'a', { lengthA: 5, lengthB: 5 })),
      row('me', 'p3', 'a', { lengthA: 5, lengthB: 5 }), // equal lengths: not counted
      ...['o1', 'o2'].map((o) => row(o, 'p4', 'tie', lengths)),
      row('me', 'p4', 'b', lengths), // consensus tie: not counted
      ...['o1', 'o2'].map((o) => row(o, 'p5', 'a', lengths)),
      row('me', 'p5', 'tie', lengths), // my tie: not counted
    ];
    expect(lengthBias(rows).get('me')).toEqual({
      n: 2,
      longer: 2,
      consensusLonger: 1,
      rate: 1,
      consensusRate: 0.5,
      excess: 0.5,
    });
  });
});

describe('position bias', () => {
  it('counts the left choice from the display order, ignoring ties and unknown order', () => {
    const rows = [
      row('u', 'p1', 'a', { leftIsA: true }), // left
      row('u', 'p2', 'b', { leftIsA: false }), // left
      row('u', 'p3', 'a', { leftIsA: false }), // right
      row('u', 'p4', 'tie', { leftIsA: true }),
      row('u', 'p5', 'a'),
      row('v', 's1', 'pos'),
    ];
    const bias = positionBias(rows);
    expect(bias.get('u')).toMatchObject({ left: 2, n: 3, leftRate: 2 / 3 });
    expect(bias.get('u')!.pValue).toBeCloseTo(1, 12);
    expect(bias.get('v')).toEqual({ left: 0, n: 0, leftRate: null, pValue: null });
  });
});

/** A team of fair annotators plus one of each failure the flags look for. */
function syntheticTeam(): JudgmentRow[] {
  const rng = createRng(42);
  const fair = ['fair1', 'fair2', 'fair3', 'fair4', 'fair5'];
  const everyone = [...fair, 'lefty', 'lengthy', 'badgold', 'flipper'];
  const rows: JudgmentRow[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let p = 0; p < 300; p++) {
    // the better response is independent of length, so the consensus chooses the longer about half the time
    const truth = rng() < 0.5 ? 'a' : 'b';
    const lengthA = 200 + Math.floor(rng() * 800);
    const lengthB = lengthA + (rng() < 0.5 ? -1 : 1) * (1 + Math.floor(rng() * 150));
    const longer = lengthA > lengthB ? 'a' : 'b';
    for (const annotator of everyone) {
      const leftIsA = rng() < 0.5;
      const roll = rng();
      let answer = roll < 0.85 ? truth : roll < 0.95 ? (truth === 'a' ? 'b' : 'a') : 'tie';
      if (annotator === 'lefty') answer = leftIsA ? 'a' : 'b';
      if (annotator === 'lengthy') answer = longer;
      const score = answer === 'a' ? -2 : answer === 'b' ? 2 : 0;
      const at = new Date(start + Math.floor(rng() * 28 * 86_400_000));
      rows.push({ annotator, item: `p${p}`, answer, score, leftIsA, lengthA, lengthB, at, timeMs: 5_000 });
    }
  }
  for (const annotator of everyone) {
    for (let g = 0; g < 40; g++) {
      const goldCorrect = annotator === 'badgold' ? g % 10 < 3 : g % 10 !== 0;
      rows.push(
        row(annotator, `gold${g}`, 'a', { isGold: true, goldCorrect, leftIsA: g % 2 === 0, score: -1 }),
      );
    }
    for (let r = 0; r < 20; r++) {
      const repeatConsistent = annotator === 'flipper' ? r % 2 === 0 : r % 10 !== 0;
      rows.push(
        row(annotator, `p${r}`, 'b', { isRepeat: true, repeatConsistent, leftIsA: r % 2 === 1, score: 1 }),
      );
    }
  }
  return rows;
}

describe('annotator profiles on a synthetic team', () => {
  const rows = syntheticTeam();
  const profiles = annotatorProfiles(rows, []);
  const p = byAnnotator(profiles);

  it('flags each failure on the one annotator who has it, and nobody else', () => {
    expect(Object.fromEntries(profiles.map((x) => [x.annotator, x.flags]))).toEqual({
      badgold: ['gold-accuracy'],
      fair1: [],
      fair2: [],
      fair3: [],
      fair4: [],
      fair5: [],
      flipper: ['inconsistent'],
      lefty: ['position-bias'],
      lengthy: ['length-bias'],
    });
  });

  it('reports the figures behind the flags', () => {
    expect(p.get('lefty')!.position.leftRate).toBeGreaterThan(0.7);
    expect(p.get('lefty')!.position.pValue).toBeLessThan(1e-6);
    expect(p.get('fair1')!.position.leftRate).toBeCloseTo(0.5, 1);
    expect(p.get('lengthy')!.length.rate).toBe(1);
    expect(p.get('lengthy')!.length.n).toBeGreaterThan(290); // a few pairs split the others
    expect(p.get('lengthy')!.length.excess).toBeGreaterThan(0.4);
    expect(p.get('badgold')!.gold).toMatchObject({ correct: 12, n: 40, accuracy: 0.3 });
    expect(p.get('badgold')!.gold.high).toBeLessThan(0.7);
    expect(p.get('fair1')!.gold).toMatchObject({ correct: 36, n: 40, accuracy: 0.9 });
    expect(p.get('flipper')!.consistency).toEqual({ consistent: 10, n: 20, rate: 0.5, flipRate: 0.5 });
    expect(p.get('fair1')!.consistency).toEqual({ consistent: 18, n: 20, rate: 0.9, flipRate: 0.1 });
    expect(p.get('fair1')!.agreement.rate).toBeGreaterThan(0.75);
    expect(p.get('lefty')!.agreement.rate).toBeLessThan(0.65);
    expect(p.get('fair1')!.volume).toBe(360);
    expect(p.get('fair1')!.medianTimeMs).toBe(5_000); // timed pair rows; gold and repeats carry no time
  });

  it('splits into four ISO weeks and agrees with the single-figure functions', () => {
    expect(p.get('fair1')!.weekly.map((w) => w.weekStart)).toEqual([
      '2024-01-01',
      '2024-01-08',
      '2024-01-15',
      '2024-01-22',
      '2024-03-04', // gold and repeats are all stamped AT
    ]);
    expect(p.get('fair1')!.weekly.reduce((sum, w) => sum + w.volume, 0)).toBe(360);
    const position = positionBias(rows);
    const length = lengthBias(rows);
    const loo = leaveOneOutAgreement(rows);
    for (const profile of profiles) {
      expect(profile.position).toEqual(position.get(profile.annotator));
      expect(profile.length).toEqual(length.get(profile.annotator));
      expect(profile.agreement).toEqual(loo.get(profile.annotator));
    }
  });

  it('honours a stricter gold threshold', () => {
    const strict = byAnnotator(annotatorProfiles(rows, [], { goldThreshold: 0.99, weekStart: 'monday' }));
    expect(strict.get('fair1')!.flags).toContain('gold-accuracy');
  });

  it('never reports NaN', () => {
    const walk = (value: unknown): void => {
      if (typeof value === 'number') expect(Number.isNaN(value)).toBe(false);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(profiles);
  });
});

describe('weekly buckets', () => {
  it('start on Monday 00:00 UTC', () => {
    expect(isoWeekStart(new Date('2023-12-31T23:59:59.999Z'))).toBe('2023-12-25');
    expect(isoWeekStart(new Date('2024-01-01T00:00:00Z'))).toBe('2024-01-01');
    expect(isoWeekStart(new Date('2024-01-07T23:59:59.999Z'))).toBe('2024-01-01');
    expect(isoWeekStart(new Date('2024-01-08T00:30:00+02:00'))).toBe('2024-01-01'); // still Sunday in UTC
    expect(isoWeekStart(new Date('1969-12-31T12:00:00Z'))).toBe('1969-12-29');
  });

  it('split the headline figures at the week boundary', () => {
    const at = (iso: string) => new Date(iso);
    const rows = [
      row('u', 'p1', 'a', { leftIsA: true, timeMs: 1_000, at: at('2024-01-07T23:59:59Z') }),
      row('u', 'p2', 'tie', { leftIsA: true, timeMs: 3_000, at: at('2024-01-07T10:00:00Z') }),
      row('u', 'p3', 'b', { leftIsA: true, timeMs: 10_000, at: at('2024-01-08T00:00:00Z') }),
      row('u', 'g1', 'a', {
        isGold: true,
        goldCorrect: false,
        leftIsA: true,
        at: at('2024-01-09T00:00:00Z'),
      }),
    ];
    const [profile] = annotatorProfiles(rows, []);
    expect(profile!.weekly).toEqual([
      {
        weekStart: '2024-01-01',
        volume: 2,
        agreement: null,
        agreementN: 0,
        goldAccuracy: null,
        goldN: 0,
        leftRate: 1,
        leftN: 1,
        tieRate: 0.5,
        medianTimeMs: 2_000,
      },
      {
        weekStart: '2024-01-08',
        volume: 2,
        agreement: null,
        agreementN: 0,
        goldAccuracy: 0,
        goldN: 1,
        leftRate: 0.5,
        leftN: 2,
        tieRate: 0,
        medianTimeMs: 10_000,
      },
    ]);
  });
});

describe('volume figures', () => {
  it('compute skip, flag and tie rates and the median time, odd and even', () => {
    const rows = [
      row('odd', 'p1', 'a', { timeMs: 5, leftIsA: true, flagged: true }),
      row('odd', 'p2', 'tie', { timeMs: 1, leftIsA: false }),
      row('odd', 'p3', 'b', { timeMs: 3, leftIsA: true }),
      row('odd', 'p4', 'b', { timeMs: null, leftIsA: true }),
      ...[4, 1, 3, 2].map((timeMs, i) => row('even', `s${i}`, 'pos', { timeMs })),
    ];
    const skip = (annotator: string) => ({ annotator, at: AT });
    const p = byAnnotator(annotatorProfiles(rows, [skip('odd'), skip('idle'), skip('idle')]));
    expect(p.get('odd')).toMatchObject({ volume: 4, skips: 1, skipRate: 0.2, flagRate: 0.25, tieRate: 0.25 });
    expect(p.get('odd')!.medianTimeMs).toBe(3);
    expect(p.get('even')).toMatchObject({ medianTimeMs: 2.5, skipRate: 0, tieRate: null, flagRate: 0 });
  });

  it('give null, not NaN, to an annotator with no data for a figure', () => {
    const [idle] = annotatorProfiles([], [{ annotator: 'idle', at: AT }]);
    expect(idle).toEqual({
      annotator: 'idle',
      volume: 0,
      agreement: { agreed: 0, n: 0, rate: null },
      gold: { correct: 0, n: 0, accuracy: null, low: null, high: null },
      position: { left: 0, n: 0, leftRate: null, pValue: null },
      length: { n: 0, longer: 0, consensusLonger: 0, rate: null, consensusRate: null, excess: null },
      tieRate: null,
      skips: 1,
      skipRate: 1,
      flagRate: null,
      medianTimeMs: null,
      consistency: { consistent: 0, n: 0, rate: null, flipRate: null },
      weekly: [],
      flags: [],
    });
  });
});

describe('flag rules', () => {
  const quiet = annotatorProfiles([], [{ annotator: 'x', at: AT }])[0]!;
  it('apply at their boundaries', () => {
    const position = (left: number, n: number) => ({
      left,
      n,
      leftRate: left / n,
      pValue: binomialTwoSidedPValue(left, n),
    });
    // 23 of 30 left: p ≈ 0.005 and a 0.27 lean → flagged; 29 of 29 is too few
    expect(qualityFlags({ ...quiet, position: position(23, 30) })).toEqual(['position-bias']);
    expect(qualityFlags({ ...quiet, position: position(29, 29) })).toEqual([]);
    // 5,500 of 10,000: p tiny, but a 0.05 lean is not worth a flag
    expect(qualityFlags({ ...quiet, position: position(5_500, 10_000) })).toEqual([]);
    const length = (excess: number, n: number) => ({ ...quiet.length, n, excess });
    expect(qualityFlags({ ...quiet, length: length(0.65 - 0.5, 30) })).toEqual(['length-bias']);
    expect(qualityFlags({ ...quiet, length: length(0.14, 300) })).toEqual([]);
    const consistency = (flips: number, n: number) => ({
      consistent: n - flips,
      n,
      rate: 1,
      flipRate: flips / n,
    });
    expect(qualityFlags({ ...quiet, consistency: consistency(3, 10) })).toEqual(['inconsistent']);
    expect(qualityFlags({ ...quiet, consistency: consistency(5, 9) })).toEqual([]);
    const gold = { correct: 14, n: 20, accuracy: 0.7, low: 0.48, high: 0.85 };
    expect(qualityFlags({ ...quiet, gold })).toEqual([]);
    expect(qualityFlags({ ...quiet, gold }, 0.9)).toEqual(['gold-accuracy']);
  });
});
