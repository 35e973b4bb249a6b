import { describe, expect, it } from 'vitest';
import { binomialTwoSidedPValue } from './binomial';

describe('the exact two-sided binomial test', () => {
  it('matches known values (SciPy binomtest / R binom.test)', () => {
    expect(binomialTwoSidedPValue(60, 100)).toBeCloseTo(0.05688793364098089, 12);
    expect(binomialTwoSidedPValue(7, 10)).toBeCloseTo(0.34375, 12);
    expect(binomialTwoSidedPValue(0, 10)).toBeCloseTo(0.001953125, 12);
    expect(binomialTwoSidedPValue(61, 100)).toBeCloseTo(0.035200200217704855, 12);
    expect(binomialTwoSidedPValue(3, 4)).toBeCloseTo(0.625, 12);
    expect(binomialTwoSidedPValue(520, 1000)).toBeCloseTo(0.2174482932041415, 10);
    expect(binomialTwoSidedPValue(3, 20, 0.3)).toBeCloseTo(0.22041826738070913, 12);
    expect(binomialTwoSidedPValue(12, 20, 0.3)).toBeCloseTo(0.005936084198097523, 12);
  });

  it('is 1 at the centre, symmetric at 0.5, and works in log space for large n', () => {
    expect(binomialTwoSidedPValue(50, 100)).toBe(1);
    expect(binomialTwoSidedPValue(0, 1)).toBe(1);
    expect(binomialTwoSidedPValue(0, 0)).toBe(1);
    expect(binomialTwoSidedPValue(40, 100)).toBeCloseTo(binomialTwoSidedPValue(60, 100), 14);
    const large = binomialTwoSidedPValue(50_500, 100_000);
    expect(large / 0.0015823598788515154).toBeCloseTo(1, 8);
    // ~1e-870: below the smallest double, so 0, and never NaN
    expect(binomialTwoSidedPValue(60_000, 100_000)).toBe(0);
  });

  it('rejects impossible counts', () => {
    expect(() => binomialTwoSidedPValue(11, 10)).toThrow(RangeError);
    expect(() => binomialTwoSidedPValue(1.5, 10)).toThrow(RangeError);
    expect(() => binomialTwoSidedPValue(1, 10, 1.5)).toThrow(RangeError);
  });
});
